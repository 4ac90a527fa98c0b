import { DomainError } from '../domain/errors.js';

/**
 * A projection row that is not valid JSON was damaged in the database (the projector writes JSON
 * only): the answer is a 500 that says so, never a 200 with broken bytes nor a 400 blaming the
 * request. The row is named in the server's log, not in the answer (it may lie outside the caller's scope).
 */
export class ProjectionDamaged extends DomainError {
  readonly row: string;
  constructor(row: string) {
    super('projection_damaged', 'projection damaged: run verify');
    this.row = row;
  }
}

/** JSON.parse of a projection column that holds an object; `row` names it (`profile_documents default/analyst`) for the log. */
export const parseProjectionJson = <T = Record<string, unknown>>(text: string, row: () => string): T => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProjectionDamaged(row());
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProjectionDamaged(row());
  return value as T;
};

/** Checks that a projection column that is sent as it is, or spliced into a document, holds a JSON object. */
export const checkProjectionJson = (text: string | null | undefined, row: () => string): void => {
  if (text !== null && text !== undefined) parseProjectionJson(text, row);
};
