import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ListPage, ListPageRequest, ListPosition } from '../projections/list-pages.js';
import { revealsSecrets } from './auth/access-control.js';
import { encodeCursor } from './list-cursor.js';

/**
 * `limit`, `cursor` and `q` of the profile and registry lists (API.md, Lists at scale), as the
 * route's schema parsed them (`listPageQuery` in schemas/query.ts). With any of them the answer is
 * a page, `{items, next_cursor}` (`next_cursor` null on the last page); without them the list
 * answers the bare array pinocchio's clients read, as it always did.
 */
export interface ListQuery {
  limit?: number;
  cursor?: ListPosition;
  /** trimmed and lower-cased; empty: no search */
  q?: string;
}

const DEFAULT_LIST_PAGE = 100;

export const wantsPage = (query: ListQuery): boolean => query.limit !== undefined || query.cursor !== undefined || query.q !== undefined;

export const pageRequestOf = (query: ListQuery): ListPageRequest => {
  const request: ListPageRequest = { limit: query.limit ?? DEFAULT_LIST_PAGE };
  if (query.cursor !== undefined) request.after = query.cursor;
  if (query.q !== undefined && query.q !== '') request.q = query.q;
  return request;
};

export const sendListPage = (request: FastifyRequest, reply: FastifyReply, page: ListPage) => {
  const items = revealsSecrets(request) ? page.revealed : page.body;
  const next = page.next === undefined ? 'null' : JSON.stringify(encodeCursor(page.next));
  return reply.type('application/json; charset=utf-8').send(`{"items":${items},"next_cursor":${next}}`);
};
