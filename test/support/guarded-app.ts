import type { AppOptions } from '../../src/http/build-app.js';
import { writeTestTokens, type TestTokens } from './auth-tokens.js';
import { openTestApp, tempDir, type Backend, type TestApp } from './test-store.js';

export interface GuardedApp extends TestApp {
  tokens: TestTokens;
}

/** A test app behind a tokens file of its own (one token per role, see auth-tokens.ts); close removes both. */
export const openGuardedApp = async (backend: Backend = 'sqlite', appOptions: Partial<AppOptions> = {}): Promise<GuardedApp> => {
  const dir = tempDir();
  try {
    const tokens = writeTestTokens(dir.dir);
    const t = await openTestApp(backend, {}, { authTokensFile: tokens.file, ...appOptions });
    return {
      ...t,
      tokens,
      close: async () => {
        await t.close();
        dir.remove();
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
};
