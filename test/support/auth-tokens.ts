import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToken } from '../../src/http/auth/tokens-file.js';
import type { Role } from '../../src/http/auth/roles.js';

export type Holder = 'reader' | 'runtime' | 'editor' | 'admin' | 'limited';

export interface TestTokens {
  file: string;
  token: Record<Holder, string>;
  /** `Authorization` header of a holder. */
  bearer: (holder: Holder) => { authorization: string };
  /** Rewrites the tokens file without these holders (revocation). */
  write: (holders: readonly Holder[]) => void;
}

const ROLE_OF: Record<Holder, Role> = { reader: 'reader', runtime: 'runtime', editor: 'editor', admin: 'admin', limited: 'editor' };

/** A tokens file in `dir`: one token per role, and `limited`, an editor limited to registry `team`. */
export const writeTestTokens = (dir: string): TestTokens => {
  const file = join(dir, 'tokens.yaml');
  const made = Object.fromEntries((Object.keys(ROLE_OF) as Holder[]).map((holder) => [holder, createToken()])) as Record<
    Holder,
    ReturnType<typeof createToken>
  >;
  const write = (holders: readonly Holder[]) => {
    const lines = holders.map((holder) => {
      const limit = holder === 'limited' ? ', registries: [team]' : '';
      return `- {name: ${holder}-token, role: ${ROLE_OF[holder]}, sha256: ${made[holder].sha256}${limit}}`;
    });
    writeFileSync(file, `${lines.join('\n')}\n`);
  };
  write(Object.keys(ROLE_OF) as Holder[]);
  return {
    file,
    token: Object.fromEntries(Object.entries(made).map(([holder, each]) => [holder, each.token])) as Record<Holder, string>,
    bearer: (holder) => ({ authorization: `Bearer ${made[holder].token}` }),
    write,
  };
};
