import type { z } from 'zod';
import { type FieldError, validationErrors } from './errors.js';

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
 * nesting deeper than MAX_JSON_DEPTH (serializing it would overflow the stack). The path is one
 * stack, written out only for the field it names.
 */
export const unstorableField = (value: unknown): FieldError | undefined => {
  const path: PropertyKey[] = [];
  const problemAt = (message: string): FieldError => ({ path: formatFieldPath(path), message });
  const visit = (node: unknown): FieldError | undefined => {
    if (typeof node === 'string') {
      const problem = textProblem(node);
      return problem === undefined ? undefined : problemAt(problem);
    }
    if (node === null || typeof node !== 'object') return undefined;
    if (path.length >= MAX_JSON_DEPTH) return problemAt(`must not be nested more than ${MAX_JSON_DEPTH} levels deep`);
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        path.push(index);
        const found = visit(node[index]);
        if (found !== undefined) return found;
        path.pop();
      }
      return undefined;
    }
    for (const key of Object.keys(node)) {
      path.push(key);
      const keyProblem = textProblem(key);
      if (keyProblem !== undefined) return problemAt(keyProblem);
      const found = visit((node as Record<string, unknown>)[key]);
      if (found !== undefined) return found;
      path.pop();
    }
    return undefined;
  };
  return visit(value);
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
  throw validationErrors(errors, first);
};
