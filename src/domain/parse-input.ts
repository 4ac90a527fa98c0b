import type { z } from 'zod';
import { DomainError, type FieldError } from './errors.js';

/** `runtime.tools[0]` from zod's `['runtime', 'tools', 0]`. */
export const formatFieldPath = (path: readonly PropertyKey[]): string => {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? 'body' : out;
};

export const MAX_JSON_DEPTH = 100;

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text cannot be stored (JSONB refuses NUL characters and unpaired surrogates), if it cannot. */
const textProblem = (text: string): string | undefined => {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (UNPAIRED_SURROGATE.test(text)) return 'must be valid Unicode (unpaired surrogate)';
  return undefined;
};

/**
 * The first key or value a body may not hold, as a field error: text that cannot be stored, or
 * nesting deeper than MAX_JSON_DEPTH (serializing it would overflow the stack).
 */
export const unstorableField = (value: unknown, path: PropertyKey[] = []): FieldError | undefined => {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem === undefined ? undefined : { path: formatFieldPath(path), message: problem };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (path.length >= MAX_JSON_DEPTH) {
    return { path: formatFieldPath(path), message: `must not be nested more than ${MAX_JSON_DEPTH} levels deep` };
  }
  for (const [key, item] of Object.entries(value)) {
    const itemPath = [...path, Array.isArray(value) ? Number(key) : key];
    const keyProblem = textProblem(key);
    if (keyProblem !== undefined) return { path: formatFieldPath(itemPath), message: keyProblem };
    const found = unstorableField(item, itemPath);
    if (found !== undefined) return found;
  }
  return undefined;
};

const issueToFieldErrors = (issue: z.core.$ZodIssue): FieldError[] => {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatFieldPath([...issue.path, key]), message: 'unknown field' }));
  }
  return [{ path: formatFieldPath(issue.path), message: issue.message }];
};

/** Parses with a zod schema; a failure becomes `validation error (<path>): <reason>` naming the first field. */
export const parseWith = <T>(schema: z.ZodType<T>, value: unknown): T => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap(issueToFieldErrors);
  const first = errors[0] ?? { path: 'body', message: 'invalid' };
  return fail(first, errors);
};

const fail = (first: FieldError, errors: FieldError[]): never => {
  throw new DomainError('validation', `validation error (${first.path}): ${first.message}`, { errors });
};
