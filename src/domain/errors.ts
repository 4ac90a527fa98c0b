import { dottedPath } from './dotted-path.js';

/**
 * Every refusal the domain can give, by code. The HTTP layer maps codes to status in one place
 * (`http/problem.ts`). Each distinct refusal has one named factory below (as Fastify's
 * `createError`): code and message are written once, and a refusal is thrown as `throw profileNotFound()`.
 */
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

export const isDomainError = (value: unknown): value is DomainError => value instanceof DomainError;

// ── 400: the request is not what the route takes ────────────────────────────────────────────

/** A field refused, with why: `validation error (<path>): <reason>`. */
export const validationError = (path: string, reason: string): DomainError =>
  new DomainError('validation', `validation error (${path}): ${reason}`, { errors: [{ path, message: reason }] });

/** Several fields refused; the first (unless told which) names the refusal. */
export const validationErrors = (errors: FieldError[], first: FieldError = errors[0]): DomainError =>
  new DomainError('validation', `validation error (${first.path}): ${first.message}`, { errors });

/** A profile's content refused by the registered schemas (`errors[].path` JSON pointers; the first, dotted, names it). */
export const schemaValidationFailed = (errors: FieldError[]): DomainError =>
  new DomainError('validation', `validation error (${dottedPath(errors[0].path) || 'body'}): ${errors[0].message}`, { errors });

/** A schema document that is not a JSON Schema (draft 2020-12). */
export const invalidJsonSchema = (errors: FieldError[]): DomainError =>
  new DomainError('validation', `validation error (${dottedPath(errors[0].path)}): not a valid JSON Schema (draft 2020-12): ${errors[0].message}`, {
    errors,
  });

/** A stack that cannot be expanded (a cycle, too deep, a missing layer). */
export const stackRefused = (message: string): DomainError => new DomainError('validation', message, { errors: [{ path: 'stack', message }] });

/** Overrides the profile's policy does not allow (`path` the refused key, or the overrides field). */
export const overridesNotAllowed = (path: string, reason: string): DomainError =>
  new DomainError('validation', 'profile does not allow engine overrides', { errors: [{ path, message: reason }] });

/** pinocchio's `runtime_key` and `registry_slug` selectors, refused with 400 as pinocchio refuses them. */
export const unsupportedLegacySelector = (name: string): DomainError =>
  new DomainError('validation', `unsupported legacy selector: ${name}`, { errors: [{ path: name, message: 'unsupported legacy selector' }] });

/** A converge target whose default profile is not among its profiles. */
export const defaultProfileNotInRegistry = (slug: string): DomainError =>
  new DomainError('validation', `validation error (default_profile_slug): profile "${slug}" is not in the registry`, {
    errors: [{ path: 'default_profile_slug', message: 'names no profile of the registry' }],
  });

/** A text input (YAML or JSON) that does not parse. */
export const invalidInput = (reason: string | undefined): DomainError =>
  new DomainError('validation', `invalid YAML: ${reason ?? 'does not parse'}`, { errors: [{ path: 'body', message: reason ?? 'does not parse' }] });

/** An input with neither registries nor profiles. */
export const emptyInput = (): DomainError =>
  new DomainError('validation', 'input is empty: no registries or profiles', { errors: [{ path: 'body', message: 'empty' }] });

/** pinocchio's legacy `profiles.yaml` refused as a whole (the body). */
export const invalidLegacyProfiles = (message: string): DomainError => new DomainError('validation', message, { errors: [{ path: 'body', message }] });

export const invalidProfileSlug = (): DomainError => new DomainError('invalid_slug', 'invalid profile slug');
export const invalidRegistrySlug = (): DomainError => new DomainError('invalid_registry', 'invalid registry');
export const invalidExpectedVersion = (): DomainError => new DomainError('invalid_expected_version', 'invalid expected_version');

// ── 403 ─────────────────────────────────────────────────────────────────────────────────────

/** The caller's role or scope does not allow this use of a route. */
export const forbidden = (reason: string): DomainError => new DomainError('forbidden', reason);

/**
 * `?require_signed=true` on a profile that is unsigned, stale or invalid (`detail`: the verdict's
 * sentence); a caller who may not read it is told the profile is missing.
 */
export const signatureRequired = (registry: string, slug: string, detail: string): DomainError =>
  new DomainError('signature_required', detail, { named: { refs: [{ registry, profile: slug }], narrowed: () => profileNotFound() } });

// ── 404 ─────────────────────────────────────────────────────────────────────────────────────

export const profileNotFound = (): DomainError => new DomainError('not_found', 'profile not found');
export const registryNotFound = (): DomainError => new DomainError('not_found', 'registry not found');
export const schemaNotFound = (kind: 'middleware' | 'extension'): DomainError => new DomainError('not_found', `${kind} schema not found`);
export const profileVersionNotFound = (version: number): DomainError => new DomainError('not_found', `profile version ${version} not found`);
export const registryVersionNotFound = (version: number): DomainError => new DomainError('not_found', `registry version ${version} not found`);

// ── 409 ─────────────────────────────────────────────────────────────────────────────────────

export const profileAlreadyExists = (slug: string): DomainError => new DomainError('already_exists', `profile "${slug}" already exists`);
export const registryAlreadyExists = (slug: string): DomainError => new DomainError('already_exists', `registry "${slug}" already exists`);

export const profileVersionConflict = (slug: string, expected: number, actual: number): DomainError =>
  new DomainError('version_conflict', `profile "${slug}" version conflict: expected=${expected} actual=${actual}`, {
    currentVersion: actual,
  });

export const registryVersionConflict = (slug: string, expected: number, actual: number): DomainError =>
  new DomainError('version_conflict', `registry "${slug}" version conflict: expected=${expected} actual=${actual}`, {
    currentVersion: actual,
  });

export const schemaVersionConflict = (kind: string, name: string, expected: number, actual: number): DomainError =>
  new DomainError('version_conflict', `${kind} schema "${name}" version conflict: expected=${expected} actual=${actual}`, {
    currentVersion: actual,
  });

/** Clearing the default of a registry that still has profiles. */
export const defaultProfileRequired = (): DomainError =>
  new DomainError('default_profile_in_use', 'a registry with profiles must keep a default profile');

export const defaultRegistryUndeletable = (): DomainError => new DomainError('default_profile_in_use', 'the default registry cannot be deleted');

export const defaultProfileUndeletable = (slug: string): DomainError =>
  new DomainError('default_profile_in_use', `cannot delete default profile "${slug}" while other profiles remain; set another default first`);

/** A profile others stack on (all of them, or those a caller may see). */
export const profileInUse = (slug: string, dependents: NamedProfile[], hidden = 0): DomainError =>
  new DomainError('profile_in_use', `profile "${slug}" is stacked on by ${listedProfiles(dependents, hidden)}`, {
    named: { refs: dependents, narrowed: (shown, left) => profileInUse(slug, shown, left) },
  });

/** A stored profile a schema change would leave invalid, with its first error (`path` a JSON pointer). */
export interface BrokenProfileRef extends NamedProfile {
  path: string;
  message: string;
}

/** A schema change that breaks stored profiles, naming them (all, or those a caller may see). */
export const schemaInUse = (kind: string, name: string, broken: readonly BrokenProfileRef[], hidden = 0): DomainError => {
  const listed = broken.map((each) => `${each.registry}/${each.profile} (${dottedPath(each.path)}: ${each.message})`);
  if (hidden > 0) listed.push(listedProfiles([], hidden));
  return new DomainError(
    'schema_in_use',
    `${kind} schema "${name}" change would invalidate ${broken.length + hidden} stored profile(s): ${listed.join(', ')}; send force: true to change it anyway`,
    {
      profiles: broken.map(({ registry, profile, path, message }) => ({ registry, slug: profile, path, message })),
      named: {
        refs: broken.map(({ registry, profile }) => ({ registry, profile })),
        narrowed: (shown, left) =>
          schemaInUse(kind, name, broken.filter((each) => shown.some((ref) => ref.registry === each.registry && ref.profile === each.profile)), left),
      },
    },
  );
};

export const idempotencyConflict = (): DomainError => new DomainError('idempotency_conflict', 'Idempotency-Key was already used with another request');

// ── 412 ─────────────────────────────────────────────────────────────────────────────────────

export const ifMatchFailed = (): DomainError =>
  new DomainError('precondition_failed', 'the resource has changed (If-Match does not match the current ETag)');

/** A version conflict of a write guarded by If-Match: the same message and version, answered 412. */
export const conflictAsPreconditionFailure = (conflict: DomainError): DomainError =>
  new DomainError('precondition_failed', conflict.message, { currentVersion: conflict.currentVersion });

// ── 422 and the rest ────────────────────────────────────────────────────────────────────────

export const readOnlyProfile = (slug: string): DomainError =>
  new DomainError('policy_violation', `policy violation for profile "${slug}": profile is read-only`);

/** A write sent "***" for a secret where it cannot stand for the stored one (422, naming each path). */
export const secretsToReenter = (reenter: readonly FieldError[]): DomainError =>
  new DomainError(
    'secret_reentry',
    `re-enter the secrets at ${reenter.map((error) => error.path).join(', ')}: "***" keeps a stored secret only where it is stored and nothing else in its object changed`,
    { errors: [...reenter] },
  );

/** Every write refused: the store is served read-only (`reason` says why). */
export const readOnlyStore = (reason: string): DomainError => new DomainError('read_only', reason);

/** A stored idempotent answer failed its seal check (`check`: how). */
export const storedResponseDamaged = (check: string): DomainError =>
  new DomainError('integrity', `the stored response for this Idempotency-Key failed its integrity check (${check})`);

export const signingUnavailable = (): DomainError =>
  new DomainError('signing_unavailable', 'publishing needs a signing key: start the server with --signing-keys-file');
