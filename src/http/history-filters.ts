import { validationError } from '../domain/errors.js';
import { z } from 'zod';
import { timeQuery } from './schemas/query.js';

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

/** Comma-separated event types; blank items are dropped (nothing left: no filter). */
const typesOf = (raw: string): ReadonlySet<string> | undefined => {
  const types = raw.split(',').map((type) => type.trim()).filter((type) => type !== '');
  return raw === '' ? undefined : new Set(types);
};

export const historyFilterQuery = {
  actor: z
    .string()
    .optional()
    .transform((raw) => (raw === '' ? undefined : raw))
    .meta({ description: 'only entries written by this actor (a token name)' }),
  type: z
    .string()
    .optional()
    .transform((raw) => (raw === undefined ? undefined : typesOf(raw)))
    .meta({ description: 'only these event types, separated by commas (e.g. `profile.updated,profile.restored`)' }),
  since: timeQuery('only entries at or after this time: RFC 3339 or epoch milliseconds', 'since'),
  until: timeQuery('only entries at or before this time: RFC 3339 or epoch milliseconds', 'until'),
};

/** The filters as the route's schema parsed them (`historyFilterQuery`); `since` must not be after `until`. */
export const historyFilterOf = (query: { actor?: string; type?: ReadonlySet<string>; since?: number; until?: number }): HistoryFilter => {
  const filter: HistoryFilter = {};
  if (query.actor !== undefined) filter.actor = query.actor;
  if (query.type !== undefined) filter.types = query.type;
  if (query.since !== undefined) filter.since = query.since;
  if (query.until !== undefined) filter.until = query.until;
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) throw validationError('since', 'must not be after until');
  return filter;
};

export const isFiltered = (filter: HistoryFilter): boolean => Object.keys(filter).length > 0;

export const passesFilter = (filter: HistoryFilter, entry: { actor: string; type: string; at_ms: number }): boolean =>
  (filter.actor === undefined || entry.actor === filter.actor) &&
  (filter.types === undefined || filter.types.has(entry.type)) &&
  (filter.since === undefined || entry.at_ms >= filter.since) &&
  (filter.until === undefined || entry.at_ms <= filter.until);
