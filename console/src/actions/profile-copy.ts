// The body that creates a copy of a profile under another slug: every field of its content,
// none of its bookkeeping (version, times, signature, default).
import type { CreateProfileInput } from '../../../src/client/index.js';
import type { ProfileDocument } from '../model.js';

export const copyOf = (doc: ProfileDocument, slug: string): CreateProfileInput => ({
  registry: doc.registry,
  slug,
  ...(doc.display_name === undefined ? {} : { display_name: doc.display_name }),
  ...(doc.description === undefined ? {} : { description: doc.description }),
  ...(doc.runtime === undefined ? {} : { runtime: doc.runtime }),
  ...(doc.policy === undefined ? {} : { policy: doc.policy }),
  ...(doc.extensions === undefined ? {} : { extensions: doc.extensions }),
  ...(doc.stack === undefined ? {} : { stack: doc.stack }),
  ...(doc.metadata.tags !== undefined && doc.metadata.tags.length > 0 ? { metadata: { tags: doc.metadata.tags } } : {}),
});
