import { DomainError, listedProfiles, narrowedError, type DomainErrorCode, type NamedProfile } from '../domain/errors.js';
import { DatabaseUnavailable } from '../events/database-unavailable.js';
import { StreamVersionConflict } from '../events/stream-version-conflict.js';

/**
 * An error as it crosses from the writer thread (structured clone keeps neither classes nor
 * functions): the kinds the HTTP layer tells apart come back as what they were.
 */
export type ThreadError =
  | {
      kind: 'domain';
      code: DomainErrorCode;
      message: string;
      extra: Pick<DomainError, 'errors' | 'currentVersion' | 'profiles'>;
      named?: NamedProfile[];
    }
  | { kind: 'unavailable'; cause: string }
  | { kind: 'stream_conflict'; streamId: string; expectedVersion: number; actualVersion: number }
  | { kind: 'other'; name: string; message: string; stack?: string };

/**
 * `readable`: the registries of the caller's token, if limited. A refusal naming profiles is
 * narrowed here, where its wording is known, to what the caller may see (as the HTTP layer would).
 */
export const toThreadError = (error: unknown, readable?: ReadonlySet<string>): ThreadError => {
  if (error instanceof DomainError) {
    const shown = readable === undefined ? error : narrowedError(error, (registry) => readable.has(registry));
    const { errors, currentVersion, profiles } = shown;
    return { kind: 'domain', code: shown.code, message: shown.message, extra: { errors, currentVersion, profiles }, named: shown.named?.refs };
  }
  if (error instanceof DatabaseUnavailable) {
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
    return { kind: 'unavailable', cause };
  }
  if (error instanceof StreamVersionConflict) {
    return { kind: 'stream_conflict', streamId: error.streamId, expectedVersion: error.expectedVersion, actualVersion: error.actualVersion };
  }
  const plain = error instanceof Error ? error : new Error(String(error));
  return { kind: 'other', name: plain.name, message: plain.message, stack: plain.stack };
};

export const fromThreadError = (wire: ThreadError): Error => {
  switch (wire.kind) {
    case 'domain': {
      const refs = wire.named;
      // narrowed already for the caller (toThreadError); narrowing again only ever drops names
      const named = refs && { refs, narrowed: (shown: NamedProfile[], hidden: number) => new DomainError(wire.code, `${wire.code.replace(/_/g, ' ')}: ${listedProfiles(shown, hidden)}`) };
      return new DomainError(wire.code, wire.message, { ...wire.extra, named });
    }
    case 'unavailable':
      return new DatabaseUnavailable(new Error(wire.cause));
    case 'stream_conflict':
      return new StreamVersionConflict(wire.streamId, wire.expectedVersion, wire.actualVersion);
    case 'other': {
      const error = new Error(wire.message);
      error.name = wire.name;
      if (wire.stack !== undefined) error.stack = wire.stack;
      return error;
    }
  }
};
