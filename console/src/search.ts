// Search by slug, name and tag: every word of the query must appear in one of them.
export const matches = (query: string, fields: (string | undefined)[]): boolean => {
  const haystack = fields.filter((field) => field !== undefined).join(' ').toLowerCase();
  return query.toLowerCase().split(/\s+/).filter((word) => word !== '').every((word) => haystack.includes(word));
};
