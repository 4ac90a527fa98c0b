/**
 * Who may do what (API.md section 5). `reader` < `runtime` / `editor` < `admin`: a runtime is a
 * reader whose resolve returns real secrets, an editor a reader who writes profiles and uses the
 * cookie routes; the two are not ordered between themselves.
 */
export const ROLES = ['reader', 'runtime', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route declares in its options as `config: { role }`; `public` needs no token. */
export type RequiredRole = Role | 'public';

const GRANTS: Record<Role, readonly Role[]> = {
  reader: ['reader'],
  runtime: ['reader', 'runtime'],
  editor: ['reader', 'editor'],
  admin: ROLES,
};

export const roleAllows = (held: Role, required: RequiredRole): boolean =>
  required === 'public' || GRANTS[held].includes(required);

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** The role a route needs when it declares none: reads need a reader, anything else an admin. */
export const defaultRequiredRole = (method: string): RequiredRole => {
  if (method === 'GET' || method === 'HEAD') return 'reader';
  if (method === 'OPTIONS') return 'public';
  return 'admin';
};
