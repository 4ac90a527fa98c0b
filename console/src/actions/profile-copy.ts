// The body that creates a copy of a profile under another slug: every field of its content,
// none of its bookkeeping (version, times, signature, default).
import type { ProfileDocument } from '../model.js';

export const copyOf = (doc: ProfileDocument, slug: string): Record<string, unknown> => {
  const body: Record<string, unknown> = { registry: doc.registry, slug };
  for (const key of ['display_name', 'description', 'runtime', 'policy', 'extensions', 'stack'] as const) {
    if (doc[key] !== undefined) body[key] = doc[key];
  }
  if (doc.metadata.tags !== undefined && doc.metadata.tags.length > 0) body.metadata = { tags: doc.metadata.tags };
  return body;
};
