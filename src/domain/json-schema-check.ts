import { createRequire } from 'node:module';
import type Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { type FieldError, invalidJsonSchema } from './errors.js';
import { linearRegExp } from './linear-regexp.js';

type Ajv2020Class = typeof Ajv2020Module.default;

// loaded on first use: most commands of the CLI never compile a schema, and Ajv takes a while to load
const require = createRequire(import.meta.url);
let ajvClass: Ajv2020Class | undefined;

/**
 * A fresh Ajv per schema: schemas are compiled rarely (once per schema version), and one shared
 * instance would refuse two schemas that declare the same `$id`. Formats are annotations only
 * (no format vocabulary is loaded), unknown keywords are allowed, as draft 2020-12 allows them.
 * Patterns run on RE2 (linear time), never on the backtracking RegExp.
 */
const newAjv = () => {
  ajvClass ??= (require('ajv/dist/2020.js') as { default: Ajv2020Class }).default;
  return new ajvClass({ strict: false, allErrors: false, validateFormats: false, logger: false, code: { regExp: linearRegExp } });
};

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** A JSON pointer from its segments. */
export const jsonPointer = (segments: readonly (string | number)[]): string =>
  segments.map((segment) => `/${escapePointer(String(segment))}`).join('');

/** The property an error is about, when Ajv names it beside the object's path. */
const namedProperty = (error: ErrorObject): string | undefined => {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') return params.missingProperty;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') return params.additionalProperty;
  if (error.keyword === 'unevaluatedProperties' && typeof params.unevaluatedProperty === 'string') return params.unevaluatedProperty;
  return undefined;
};

/** Ajv's errors as field errors whose path is a JSON pointer under `base`. */
const fieldErrors = (errors: readonly ErrorObject[] | null | undefined, base: string): FieldError[] =>
  (errors ?? []).map((error) => {
    const property = namedProperty(error);
    const path = `${base}${error.instancePath}${property === undefined ? '' : `/${escapePointer(property)}`}`;
    return { path, message: error.message ?? 'is invalid' };
  });

/**
 * What is wrong with a value offered as a JSON Schema (draft 2020-12), as field errors under
 * `base` (a JSON pointer into the request): none when Ajv accepts and compiles it.
 */
export const jsonSchemaProblems = (schema: unknown, base = '/schema'): FieldError[] => {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return [{ path: base, message: 'must be a JSON Schema object' }];
  }
  const ajv = newAjv();
  if (!ajv.validateSchema(schema as object)) return fieldErrors(ajv.errors, base);
  try {
    ajv.compile(schema as object);
  } catch (error) {
    return [{ path: base, message: (error as Error).message }];
  }
  return [];
};

/** Refuses a value that is not a JSON Schema, naming the first problem (`errors[].path` JSON pointers). */
export const checkJsonSchema = (schema: unknown, base = '/schema'): void => {
  const problems = jsonSchemaProblems(schema, base);
  if (problems.length === 0) return;
  throw invalidJsonSchema(problems);
};

/** A compiled schema, identified by what it was compiled for. */
interface Compiled {
  version: number;
  schema: unknown;
  validate: ValidateFunction;
}

const compiledByName = new Map<string, Compiled>();

/**
 * The validator of schema `name` at `version`, compiled once and kept until another version of
 * that name is asked for. `schema` is checked by identity (the state holds one object per
 * version), so an unsaved schema (an import's) never takes a saved one's place unnoticed.
 */
export const compiledSchema = (name: string, version: number, schema: unknown): ValidateFunction => {
  const cached = compiledByName.get(name);
  if (cached && cached.version === version && cached.schema === schema) return cached.validate;
  const validate = newAjv().compile(schema as object);
  compiledByName.set(name, { version, schema, validate });
  return validate;
};

/** Validates `value` with a compiled schema: the errors, their paths JSON pointers under `base`. */
export const schemaErrors = (validate: ValidateFunction, value: unknown, base: string): FieldError[] =>
  validate(value) ? [] : fieldErrors(validate.errors, base);
