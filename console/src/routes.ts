// The console's pages live in the URL's hash: #/, #/r/REG, #/r/REG/new, #/r/REG/p/SLUG/TAB, each
// with the page's state after `?` (search, selected versions, as-of) so that a link shows it again.
import { enc } from './api.js';

export type Route =
  | { page: 'registries'; params: URLSearchParams }
  | { page: 'registry'; registry: string; tab: string; params: URLSearchParams }
  | { page: 'new-profile'; registry: string; params: URLSearchParams }
  | { page: 'profile'; registry: string; slug: string; tab: string; params: URLSearchParams }
  | { page: 'schemas'; params: URLSearchParams }
  | { page: 'schema'; kind: 'middlewares' | 'extensions'; name: string; params: URLSearchParams };

export const parseRoute = (hash: string): Route => {
  const [path = '', query = ''] = hash.split('?', 2);
  const params = new URLSearchParams(query);
  return { ...routeOf(path), params } as Route;
};

/** Puts the page's state into the address without a new history entry (nor a hashchange). */
export const replaceParams = (values: Record<string, string | undefined>): void => {
  const [path = '', query = ''] = location.hash.split('?', 2);
  const params = new URLSearchParams(query);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === '') params.delete(key);
    else params.set(key, value);
  }
  const text = params.toString();
  history.replaceState(history.state, '', text === '' ? path : `${path}?${text}`);
};

type Path =
  | { page: 'registries' }
  | { page: 'schemas' }
  | { page: 'schema'; kind: 'middlewares' | 'extensions'; name: string }
  | { page: 'registry'; registry: string; tab: string } | { page: 'new-profile'; registry: string } | { page: 'profile'; registry: string; slug: string; tab: string };

const routeOf = (hash: string): Path => {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((part) => part !== '').map(decodeURIComponent);
  if (parts[0] === 'r' && parts[1] !== undefined) {
    if (parts[2] === 'new') return { page: 'new-profile', registry: parts[1] };
    if (parts[2] === 'p' && parts[3] !== undefined) return { page: 'profile', registry: parts[1], slug: parts[3], tab: parts[4] ?? 'overview' };
    return { page: 'registry', registry: parts[1], tab: parts[2] ?? 'profiles' };
  }
  if (parts[0] === 'schemas') {
    if ((parts[1] === 'middlewares' || parts[1] === 'extensions') && parts[2] !== undefined) return { page: 'schema', kind: parts[1], name: parts[2] };
    return { page: 'schemas' };
  }
  return { page: 'registries' };
};

export const registryHref = (registry: string, tab = 'profiles'): string => `#/r/${enc(registry)}/${tab}`;
export const profileHref = (registry: string, slug: string, tab = 'overview'): string => `#/r/${enc(registry)}/p/${enc(slug)}/${tab}`;
export const newProfileHref = (registry: string): string => `#/r/${enc(registry)}/new`;
export const schemaHref = (kind: 'middlewares' | 'extensions', name: string): string => `#/schemas/${kind}/${enc(name)}`;
