/** Every refusal the domain can give, by code. The HTTP layer maps codes to status in one place. */
export type DomainErrorCode =
  | 'validation'
  | 'invalid_slug'
  | 'invalid_registry'
  | 'invalid_expected_version'
  | 'not_found'
  | 'already_exists'
  | 'version_conflict'
  | 'precondition_failed'
  | 'policy_violation'
  | 'default_profile_in_use'
  | 'profile_in_use'
  | 'idempotency_conflict'
  | 'schema_in_use'
  /** The caller's role does not allow this use of a route (e.g. a contains query on a secret). */
  | 'forbidden'
  /** The server refuses every write (a database served read-only for forensics). */
  | 'read_only'
  /** A profile read with `?require_signed=true` is unsigned, stale or invalid. */
  | 'signature_required'
  /** A stored row failed its integrity check. */
  | 'integrity'
  /** A projection row is not what the projector writes (not JSON): the database was damaged, not the request. */
  | 'projection_damaged'
  /** The server has no signing key (publish without --signing-keys-file). */
  | 'signing_unavailable'
  /** A write sent "***" for a secret where it cannot stand for the stored one (nothing stored, or its object changed). */
  | 'secret_reentry';

export interface FieldError {
  path: string;
  message: string;
}

/** A stored profile that a change would leave invalid, with its first error (`path` a JSON pointer). */
export interface AffectedProfileError {
  registry: string;
  slug: string;
  path: string;
  message: string;
}

/** A profile of a registry, as an error names it. */
export interface NamedProfile {
  registry: string;
  profile: string;
}

/**
 * The profiles a refusal names, and how the same refusal reads for a caller who may see only some
 * of them (a token limited to registries): `narrowed` names only `shown`, and says how many it
 * leaves out, or answers as if the hidden ones were missing. The HTTP layer decides who sees what.
 */
export interface NamedProfiles {
  refs: NamedProfile[];
  narrowed(shown: NamedProfile[], hidden: number): DomainError;
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly errors?: FieldError[];
  readonly currentVersion?: number;
  readonly profiles?: AffectedProfileError[];
  readonly named?: NamedProfiles;

  constructor(
    code: DomainErrorCode,
    message: string,
    extra: { errors?: FieldError[]; currentVersion?: number; profiles?: AffectedProfileError[]; named?: NamedProfiles } = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.errors = extra.errors;
    this.currentVersion = extra.currentVersion;
    this.profiles = extra.profiles;
    this.named = extra.named;
  }
}

/** `a/b, c/d`, and how many more are left out (a caller may not see them). */
export const listedProfiles = (shown: readonly NamedProfile[], hidden: number): string => {
  const names = shown.map((each) => `${each.registry}/${each.profile}`);
  if (hidden > 0) names.push(`${hidden} profile(s) outside the registries this token may read`);
  return names.join(', ');
};

/** The refusal as a caller who sees only some registries may read it (see `NamedProfiles`). */
export const narrowedError = (error: DomainError, sees: (registry: string) => boolean): DomainError => {
  if (error.named === undefined) return error;
  const shown = error.named.refs.filter((ref) => sees(ref.registry));
  return shown.length === error.named.refs.length ? error : error.named.narrowed(shown, error.named.refs.length - shown.length);
};

export const isDomainError = (value: unknown): value is DomainError => value instanceof DomainError;

export const validationError = (path: string, reason: string): DomainError =>
  new DomainError('validation', `validation error (${path}): ${reason}`, { errors: [{ path, message: reason }] });

export const profileNotFound = (): DomainError => new DomainError('not_found', 'profile not found');
export const registryNotFound = (): DomainError => new DomainError('not_found', 'registry not found');
export const schemaNotFound = (kind: 'middleware' | 'extension'): DomainError => new DomainError('not_found', `${kind} schema not found`);

export const profileVersionConflict = (slug: string, expected: number, actual: number): DomainError =>
  new DomainError('version_conflict', `profile "${slug}" version conflict: expected=${expected} actual=${actual}`, {
    currentVersion: actual,
  });

export const registryVersionConflict = (slug: string, expected: number, actual: number): DomainError =>
  new DomainError('version_conflict', `registry "${slug}" version conflict: expected=${expected} actual=${actual}`, {
    currentVersion: actual,
  });

export const readOnlyProfile = (slug: string): DomainError =>
  new DomainError('policy_violation', `policy violation for profile "${slug}": profile is read-only`);
