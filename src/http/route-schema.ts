import type {
  FastifyPluginAsync,
  FastifyPluginOptions,
  FastifySchema,
  FastifySchemaCompiler,
  FastifyTypeProvider,
  RawServerDefault,
} from 'fastify';
import { z } from 'zod';
import { parseWith } from '../domain/parse-input.js';
import { objectBodyOf } from './request-input.js';
import { branchOf, type StringTree, stringTree } from '../domain/string-tree.js';

/**
 * Routes declare their schemas the Fastify way, as zod schemas: zod validates params, query and
 * body (through `parseWith`, so a refusal is the same problem+json as everywhere else), the
 * handler's `request.params`, `.query` and `.body` are typed from them, and `/openapi.json` shows
 * them as JSON Schema (zod 4's `z.toJSONSchema`). Response schemas document what a route answers;
 * answers are serialized with JSON.stringify as before (a test checks them against the document).
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: unknown;
}

/** A routes file: a Fastify plugin whose routes' schemas are zod schemas. */
export type RoutesPlugin<Options extends FastifyPluginOptions> = FastifyPluginAsync<Options, RawServerDefault, ZodTypeProvider>;

/** Repeated query parameters count by their last value (`?registry=a&registry=b` names b), as they always did. */
const lastValues = (query: unknown): unknown => {
  if (query === null || typeof query !== 'object') return {};
  // most queries repeat nothing: they are passed on as parsed, without building a copy each request
  if (!Object.values(query).some(Array.isArray)) return query;
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, Array.isArray(value) ? value.at(-1) : value]));
};

const MEMO_ENTRIES = 256;
const MEMO_KEY_LENGTH = 256;

/**
 * Whether a path's or query's values can be memoized: all strings (what a URL holds but for a
 * repeated query parameter), and short.
 */
const memoizable = (data: unknown): data is Record<string, string> => {
  if (data === null || typeof data !== 'object') return false;
  let length = 0;
  for (const name in data) {
    const value = (data as Record<string, unknown>)[name];
    if (typeof value !== 'string') return false;
    length += name.length + value.length;
  }
  return length <= MEMO_KEY_LENGTH;
};

/**
 * The memo's place for these values (the same names and values in the same order, the same
 * place), made if `make`: each name, then its value, one level of the tree each.
 */
const memoPlaceOf = (root: StringTree<unknown>, data: Record<string, string>, make: boolean): StringTree<unknown> | undefined => {
  let node: StringTree<unknown> | undefined = root;
  for (const name in data) {
    node = branchOf(node, name, make);
    if (node === undefined) return undefined;
    node = branchOf(node, data[name] as string, make);
    if (node === undefined) return undefined;
  }
  return node;
};

const isFlat = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.values(value).every((each) => each === null || typeof each !== 'object');

/** Validates a request part with the route's zod schema; a refusal is the DomainError `parseWith` (or a slug check) throws. */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, method, url, httpPart }) => {
  if (!(schema instanceof z.ZodType)) throw new Error(`${method} ${url}: the ${httpPart ?? 'request'} schema must be a zod schema`);
  const validate = (data: unknown) => {
    try {
      const input = httpPart === 'body' ? objectBodyOf(data) : httpPart === 'querystring' ? lastValues(data) : data;
      return { value: parseWith(schema, input) };
    } catch (error) {
      return { error: error as Error };
    }
  };
  if (httpPart !== 'params' && httpPart !== 'querystring') return validate;
  // a route's reads repeat the same few paths and queries: their parsed values (the schemas are
  // pure) are kept, while they hold no object a handler could change, and served frozen
  let memo = stringTree<unknown>();
  let entries = 0;
  return (data: unknown) => {
    if (!memoizable(data)) return validate(data);
    const known = memoPlaceOf(memo, data, false)?.known;
    if (known !== undefined) return known;
    const result = validate(data);
    if ('value' in result && isFlat(result.value)) {
      if (entries >= MEMO_ENTRIES) {
        memo = stringTree<unknown>();
        entries = 0;
      }
      const kept = { value: Object.freeze(result.value) };
      (memoPlaceOf(memo, data, true) as StringTree<unknown>).known = kept;
      entries += 1;
      return kept;
    }
    return result;
  };
};

/** Answers are serialized as they always were; response schemas are the documentation. */
export const jsonSerializerCompiler = () => (data: unknown) => JSON.stringify(data);

type JsonSchema = Record<string, unknown>;

export const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return json;
};

/** A response as a route declares it: a zod schema (JSON), or a described answer with its media types and headers. */
export interface DescribedResponse {
  description: string;
  /** Media type → zod schema of the body (Fastify's form); absent: no body. */
  content?: Record<string, { schema: z.ZodType }>;
  /** Header name → its JSON Schema with a description (@fastify/swagger's form). */
  headers?: Record<string, { type: string; description: string }>;
}

const isDescribed = (value: unknown): value is DescribedResponse =>
  typeof value === 'object' && value !== null && !(value instanceof z.ZodType) && 'description' in value;

const responseDocument = (response: unknown): unknown => {
  if (response instanceof z.ZodType) {
    return { description: response.description ?? 'OK', content: { 'application/json': { schema: toJsonSchema(response, 'output') } } };
  }
  if (!isDescribed(response)) return response;
  const out: JsonSchema = { description: response.description };
  if (response.headers) out.headers = response.headers;
  if (response.content) {
    out.content = Object.fromEntries(
      Object.entries(response.content).map(([type, { schema }]) => [type, { schema: toJsonSchema(schema, 'output') }]),
    );
  } else out.type = 'null';
  return out;
};

/** @fastify/swagger's `transform`: the zod schemas of a route as the JSON Schemas of its OpenAPI operation. */
export const openApiTransform = ({ schema, url }: { schema: FastifySchema; url: string }) => {
  if (schema === undefined || schema === null) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const part of ['params', 'querystring', 'body', 'headers'] as const) {
    const value = schema[part];
    if (value instanceof z.ZodType) out[part] = toJsonSchema(value, 'input');
  }
  if (schema.response && typeof schema.response === 'object') {
    out.response = Object.fromEntries(Object.entries(schema.response).map(([status, value]) => [status, responseDocument(value)]));
  }
  return { schema: out as FastifySchema, url };
};

type OpenApiDocument = { paths?: Record<string, Record<string, { requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> } }>> };

/**
 * For @fastify/swagger's `transformObject`: a request body is marked required only when its schema
 * requires a field (a POST of `/default`, `/publish` or resolve may come without one).
 */
export const optionalBodies = <Document extends object>(openapiObject: Document): Document => {
  for (const operations of Object.values((openapiObject as OpenApiDocument).paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const body = operation.requestBody;
      const schemas = Object.values(body?.content ?? {}).map((media) => media.schema);
      if (body && schemas.every((schema) => !Array.isArray(schema?.required) || schema.required.length === 0)) body.required = false;
    }
  }
  return openapiObject;
};
