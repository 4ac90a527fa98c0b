import { readFileSync } from 'node:fs';

/** A document without what the server owns: what history, diffs and restores compare. */
export const contentOf = (document: Record<string, unknown>): Record<string, unknown> => {
  const { metadata: _metadata, is_default: _isDefault, fingerprint: _fingerprint, ...content } = document;
  return content;
};

/** The 8 goose role bodies of the shared fixtures (registry `goose`). */
export const gooseRoles = (): Record<string, unknown>[] =>
  JSON.parse(readFileSync(new URL('../../../shared/fixtures/goose-roles.json', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >[];
