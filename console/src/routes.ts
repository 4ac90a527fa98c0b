// The console's pages live in the URL's hash: #/, #/r/REG, #/r/REG/new, #/r/REG/p/SLUG/TAB.
import { enc } from './api.js';

export type Route =
  | { page: 'registries' }
  | { page: 'registry'; registry: string; tab: string }
  | { page: 'new-profile'; registry: string }
  | { page: 'profile'; registry: string; slug: string; tab: string };

export const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((part) => part !== '').map(decodeURIComponent);
  if (parts[0] === 'r' && parts[1] !== undefined) {
    if (parts[2] === 'new') return { page: 'new-profile', registry: parts[1] };
    if (parts[2] === 'p' && parts[3] !== undefined) return { page: 'profile', registry: parts[1], slug: parts[3], tab: parts[4] ?? 'overview' };
    return { page: 'registry', registry: parts[1], tab: parts[2] ?? 'profiles' };
  }
  return { page: 'registries' };
};

export const registryHref = (registry: string, tab = 'profiles'): string => `#/r/${enc(registry)}/${tab}`;
export const profileHref = (registry: string, slug: string, tab = 'overview'): string => `#/r/${enc(registry)}/p/${enc(slug)}/${tab}`;
export const newProfileHref = (registry: string): string => `#/r/${enc(registry)}/new`;
