// The token lives in sessionStorage: it is gone when the tab closes, and never in a cookie.
import { api, setApiToken } from './client.js';
import type { Session } from './model.js';

const KEY = 'profile-registry-token';

export const storedToken = (): string | null => sessionStorage.getItem(KEY);

/** Checks the token with the server (GET /api/session) and keeps it when it is good. */
export const logIn = async (token: string): Promise<Session> => {
  setApiToken(token === '' ? null : token);
  try {
    const session = await api.session();
    sessionStorage.setItem(KEY, token);
    return session;
  } catch (error) {
    setApiToken(null);
    throw error;
  }
};

export const logOut = (): void => {
  sessionStorage.removeItem(KEY);
  setApiToken(null);
};
