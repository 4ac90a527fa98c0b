import { validationError } from './errors.js';
import { checkJsonSchema } from './json-schema-check.js';
import { parseWith } from './parse-input.js';
import { bundleSchemasSchema, middlewareSchemaDocument, type BundleSchemas } from './schema-documents.js';
import { parseExtensionKey } from './slug.js';

const byName = <T>(items: T[], nameOf: (item: T) => string): T[] =>
  [...items].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));

/**
 * The `schemas:` section of a bundle (`{middlewares: [...], extensions: [...]}`, the list items of
 * the two schema routes), validated and normalized as the PUT routes would, or undefined when the
 * bundle has none.
 */
export const bundleSchemasOf = (value: Record<string, unknown> | undefined): BundleSchemas | undefined => {
  if (value === undefined || value.schemas === undefined || value.schemas === null) return undefined;
  const parsed = parseWith(bundleSchemasSchema, value.schemas);
  const seen = new Set<string>();
  const middlewares = (parsed.middlewares ?? []).map((item, index) => {
    const name = item.name.trim();
    if (name === '') throw validationError(`schemas.middlewares[${index}].name`, 'must not be blank');
    if (seen.has(`m/${name}`)) throw validationError(`schemas.middlewares[${index}].name`, `duplicate middleware "${name}"`);
    seen.add(`m/${name}`);
    checkJsonSchema(item.schema, `/schemas/middlewares/${index}/schema`);
    return middlewareSchemaDocument({ ...item, name });
  });
  const extensions = (parsed.extensions ?? []).map((item, index) => {
    const key = parseExtensionKey(item.key);
    if (key === undefined) throw validationError(`schemas.extensions[${index}].key`, 'invalid extension key');
    if (seen.has(`e/${key}`)) throw validationError(`schemas.extensions[${index}].key`, `duplicate extension key "${key}"`);
    seen.add(`e/${key}`);
    checkJsonSchema(item.schema, `/schemas/extensions/${index}/schema`);
    return { key, schema: item.schema };
  });
  return { middlewares: byName(middlewares, (item) => item.name), extensions: byName(extensions, (item) => item.key) };
};
