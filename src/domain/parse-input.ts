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

/**
 * The first key or value a body may not hold, as a field error: text with a NUL character
 * (JSONB refuses it) or nesting deeper than MAX_JSON_DEPTH (serializing it would overflow the stack).
 */
export const unstorableField = (value: unknown, path: PropertyKey[] = []): FieldError | undefined => {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? { path: formatFieldPath(path), message: 'must not contain NUL characters' } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (path.length >= MAX_JSON_DEPTH) {
    return { path: formatFieldPath(path), message: `must not be nested more than ${MAX_JSON_DEPTH} levels deep` };
  }
  for (const [key, item] of Object.entries(value)) {
    const itemPath = [...path, Array.isArray(value) ? Number(key) : key];
    if (key.includes('\u0000')) return { path: formatFieldPath(itemPath), message: 'must not contain NUL characters' };
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
