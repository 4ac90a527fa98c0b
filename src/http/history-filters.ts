import { validationError } from '../domain/errors.js';
import { parseAsOf } from '../domain/past-point.js';
import { queryText } from './schemas/query.js';

/**
 * The filters of both histories (API.md, Lists at scale): who, which event types, and a time
 * range. `since` and `until` take RFC 3339 or epoch milliseconds and are both inclusive.
 */
export interface HistoryFilter {
  actor?: string;
  types?: ReadonlySet<string>;
  since?: number;
  until?: number;
}

export const historyFilterQuery = {
  actor: queryText('only entries written by this actor (a token name)'),
  type: queryText('only these event types, separated by commas (e.g. `profile.updated,profile.restored`)'),
  since: queryText('only entries at or after this time: RFC 3339 or epoch milliseconds'),
  until: queryText('only entries at or before this time: RFC 3339 or epoch milliseconds'),
};

export const historyFilterOf = (query: { actor?: string; type?: string; since?: string; until?: string }): HistoryFilter => {
  const filter: HistoryFilter = {};
  if (query.actor !== undefined && query.actor !== '') filter.actor = query.actor;
  if (query.type !== undefined && query.type !== '') filter.types = new Set(query.type.split(',').map((type) => type.trim()).filter((type) => type !== ''));
  if (query.since !== undefined && query.since !== '') filter.since = parseAsOf(query.since, 'since');
  if (query.until !== undefined && query.until !== '') filter.until = parseAsOf(query.until, 'until');
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) throw validationError('since', 'must not be after until');
  return filter;
};

export const isFiltered = (filter: HistoryFilter): boolean => Object.keys(filter).length > 0;

export const passesFilter = (filter: HistoryFilter, entry: { actor: string; type: string; at_ms: number }): boolean =>
  (filter.actor === undefined || entry.actor === filter.actor) &&
  (filter.types === undefined || filter.types.has(entry.type)) &&
  (filter.since === undefined || entry.at_ms >= filter.since) &&
  (filter.until === undefined || entry.at_ms <= filter.until);
