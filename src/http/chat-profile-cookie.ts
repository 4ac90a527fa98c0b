import type { FastifyRequest } from 'fastify';
import { parseSlug } from '../domain/slug.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';

export const CHAT_PROFILE_COOKIE = 'chat_profile';

export interface ProfileSelection {
  registry: string;
  profile: string;
}

const cookieValue = (request: FastifyRequest, name: string): string | undefined => {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
};

/** The `chat_profile` cookie: `<registry>/<profile>`, or a bare profile of the default registry (older clients). */
export const chatProfileCookie = (request: FastifyRequest): ProfileSelection | undefined => {
  const raw = cookieValue(request, CHAT_PROFILE_COOKIE);
  if (raw === undefined) return undefined;
  const [first, second] = raw.includes('/') ? raw.split('/', 2) : [DEFAULT_REGISTRY, raw];
  const registry = parseSlug(first);
  const profile = parseSlug(second);
  return registry && profile ? { registry, profile } : undefined;
};

export const chatProfileSetCookie = (selection: ProfileSelection): string =>
  `${CHAT_PROFILE_COOKIE}=${selection.registry}/${selection.profile}; Path=/; SameSite=Lax; Secure; HttpOnly`;
