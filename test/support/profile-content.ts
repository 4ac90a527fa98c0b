/** A document without what the server owns: what history, diffs and restores compare. */
export const contentOf = (document: Record<string, unknown>): Record<string, unknown> => {
  const { metadata: _metadata, is_default: _isDefault, fingerprint: _fingerprint, ...content } = document;
  return content;
};
