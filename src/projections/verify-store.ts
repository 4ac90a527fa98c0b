import { checkSeal, sealProblem } from '../domain/row-seal.js';
import { signatureVerdict } from '../domain/profile-signature.js';
import type { ProfileContent } from '../domain/profile.js';
import type { SigningKeys } from '../domain/signing-keys.js';
import { checkCheckpoint, type Checkpoint } from '../events/checkpoint.js';
import type { EventRecord } from '../events/event-store.js';
import type { StoredEvent } from '../events/event-types.js';
import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { describeChainBreak, lostTail, startChainCheck, type ChainBreak } from '../events/verify-hash-chain.js';
import { changeRowSealed, readChangeRows } from './change-feed-store.js';
import { eventSealFindings, sealedPastTheEnd } from '../events/event-seals.js';
import { editedProfileCopy } from '../events/sql/profile-columns.js';
import { readAllSealedResponses } from './idempotency-store.js';
import { readAudit, type AuditRecord } from './integrity-audit.js';
import { verifyProjectionsIn, type ProjectionMismatch } from './verify-projections.js';

/**
 * `events`: the log itself is not what was written (a broken chain, lost events, a forged
 * signature, an edited history row). `projection`: the events are intact and a derived table
 * differs from them, which a rebuild repairs.
 */
export interface VerifyFinding {
  level: 'events' | 'projection';
  detail: string;
}

export interface VerifyReport {
  events: number;
  streams: number;
  findings: VerifyFinding[];
  checkpoints: number;
  /** Signatures (`profile.published` events) checked against the content of the version they sign; unchecked without keys. */
  signatures: { checked: number; unchecked: number };
  /** Operator acts recorded against integrity checks (forced rebuilds). */
  audit: AuditRecord[];
}

export interface VerifyOptions {
  keys?: SigningKeys;
  checkpoints?: Checkpoint[];
  /** Progress of the one pass over the events (the rebuild aside, which every check of the events' bytes rides along). */
  onProgress?: (done: number, total: number) => void;
}

const PAGE = 1000;

/** What is wrong with a change-feed row, checked against its seal and the hash of its event (undefined: the event is gone). */
const changeRowFinding = (
  keys: SigningKeys | undefined,
  row: { position: number; affected_json: string; seal: string | null },
  hash: string | undefined,
): string | undefined => {
  if (hash === undefined) return `change feed row at position ${row.position} has no event: the event was deleted`;
  const check = checkSeal(keys, row.seal, changeRowSealed(row.position, hash, row.affected_json));
  return check !== 'ok' && !(check === 'unknown_key' && !keys) ? `change feed row at position ${row.position} was edited: ${sealProblem(check)}` : undefined;
};

/**
 * The sealed history that is checked against each event's stored bytes: every event's seal, and
 * every change-feed row (not an event, not rebuildable either) against its seal and its event's
 * hash. Fed the whole log chunk by chunk, in position order, by whoever reads it (verify: the
 * rebuild aside's one read); `end` takes the change-feed rows past the last event and gives the
 * findings, the events' first.
 */
const startSealChecks = (keys: SigningKeys | undefined) => {
  const eventSeals: string[] = [];
  const changeRows: string[] = [];
  let after = 0;
  const checkChangeRows = async (db: SqlExecutor, hashes: ReadonlyMap<number, string>, upTo?: number) => {
    for (const row of await readChangeRows(db, after, upTo)) {
      const finding = changeRowFinding(keys, row, hashes.get(row.position));
      if (finding) changeRows.push(finding);
    }
  };
  return {
    next: async (db: SqlExecutor, records: readonly EventRecord[]): Promise<void> => {
      if (records.length === 0) return;
      add(eventSeals, await eventSealFindings(db, keys, records));
      const last = records[records.length - 1].position;
      await checkChangeRows(db, new Map(records.map((record) => [record.position, record.hash])), last);
      after = last;
    },
    end: async (db: SqlExecutor): Promise<string[]> => {
      await checkChangeRows(db, new Map());
      return [...eventSeals, ...changeRows];
    },
  };
};

const PAGE_OF_RECORDS = 500;

/** The log's stored events after position `after`, a page at a time, to `each` (checks that no fold's read carries). */
const readRecordsAfter = async (db: SqlExecutor, after: number, each: (records: readonly EventRecord[]) => Promise<void>): Promise<void> => {
  for (;;) {
    const records = await db.events.readRecords({ after, limit: PAGE_OF_RECORDS });
    await each(records);
    if (records.length < PAGE_OF_RECORDS) return;
    after = records[records.length - 1].position;
  }
};

/** Stored responses are history too: each must match its seal. */
const verifySealedResponses = async (db: SqlDatabase, keys: SigningKeys | undefined): Promise<string[]> => {
  const findings: string[] = [];
  for (const response of await readAllSealedResponses(db)) {
    const check = checkSeal(keys, response.seal, response.sealed);
    if (check !== 'ok' && !(check === 'unknown_key' && !keys)) {
      findings.push(`stored response of Idempotency-Key "${response.key}" was edited: ${sealProblem(check)}`);
    }
  }
  return findings;
};

/** Every `profile.published` event, in position order. */
const readAllPublished = async (db: SqlDatabase): Promise<Extract<StoredEvent, { type: 'profile.published' }>[]> => {
  const published: Extract<StoredEvent, { type: 'profile.published' }>[] = [];
  for (let after = 0; ; ) {
    const page = await db.events.readAll({ after, limit: PAGE, types: ['profile.published'] });
    for (const event of page) if (event.type === 'profile.published') published.push(event);
    if (page.length < PAGE) return published;
    after = page[page.length - 1].position;
  }
};

/** Every `profile.published` event must be a valid HMAC of the content of the version it names. */
const verifySignatures = async (db: SqlDatabase, keys: SigningKeys | undefined, findings: string[]) => {
  const rows = await readAllPublished(db);
  if (!keys) return { checked: 0, unchecked: rows.length };
  for (const row of rows) {
    const { profile: slug, ...signature } = row.data;
    const name = `signature of profile "${row.stream_id}/${slug}" version ${signature.version} (event at position ${row.position})`;
    const [signed] = await db.events.readProfileEventsAt(row.stream_id, [[slug, signature.version]]);
    const content = (signed?.data as { content?: ProfileContent } | undefined)?.content;
    if (!content) {
      findings.push(`${name} signs a version no event made`);
      continue;
    }
    const verdict = signatureVerdict(keys, row.stream_id, { content, version: signature.version, signature });
    if (verdict !== 'valid') findings.push(`${name} is ${verdict === 'unknown_key' ? `signed with key "${signature.key_id}", which the signing keys file does not list` : 'invalid'}`);
  }
  return { checked: rows.length, unchecked: 0 };
};

/**
 * What the signing keys vouch for and the chain cannot: sealed history rows that are HMACs of a
 * listed key, publish events that are valid signatures. Someone who rewrote events and recomputed
 * the SHA-256 chain fails here.
 */
export const keyedFindings = async (db: SqlDatabase, keys: SigningKeys): Promise<string[]> => {
  const seals = startSealChecks(keys);
  await readRecordsAfter(db, 0, (records) => seals.next(db, records));
  const findings = await seals.end(db);
  add(findings, await verifySealedResponses(db, keys));
  await verifySignatures(db, keys, findings);
  return findings;
};

/** Appends one by one: a spread of a million findings (every seal of a store written without them) overflows the call stack. */
const add = (findings: string[], more: readonly string[]): void => {
  for (const finding of more) findings.push(finding);
};

/**
 * Everything `profile-registry verify` checks, event-level causes first: the hash chain, a tail
 * lost behind the chain's back (SQLite's sequence, the checkpoints), the sealed history rows,
 * projections that saw events now missing; then projections and snapshots that merely differ.
 * The log is read once: the chain and the seals are checked on the stored events the rebuild aside
 * reads to fold them (three reads of the whole log before, each as long as the fold's). When the
 * events cannot be folded, the checks read the rest of the log by themselves.
 */
export const verifyStore = async (db: SqlDatabase, options: VerifyOptions = {}): Promise<VerifyReport> => {
  const events: string[] = [];
  const projection: string[] = [];
  const total = await db.events.countEvents();
  const chain = startChainCheck();
  let broken: ChainBreak | undefined;
  let counts = { events: 0, streams: 0 };
  const seals = startSealChecks(options.keys);
  let after = 0;
  let checking = false; // an error while checking is the check's, not the fold's
  const check = async (executor: SqlExecutor, records: readonly EventRecord[]) => {
    checking = true;
    // the chain check stops at the first break, as verifyHashChain does
    for (let index = 0; index < records.length && !broken; index += 1) broken = chain.next(records[index]);
    await seals.next(executor, records);
    if (records.length > 0) after = records[records.length - 1].position;
    checking = false;
  };
  const endChecks = async (executor: SqlExecutor) => {
    checking = true;
    broken ??= chain.end(await executor.events.listStreams());
    counts = { events: chain.events, streams: chain.streams };
    const found = await seals.end(executor);
    checking = false;
    return found;
  };
  let mismatches: ProjectionMismatch[] = [];
  let sealFindings: string[];
  let unfoldable: string | undefined;
  try {
    [mismatches, sealFindings] = await db.transaction(async (tx) => {
      const found = await verifyProjectionsIn(tx, {
        onRecords: (records) => check(tx, records),
        onProgress: (progress) => options.onProgress?.(progress.events, progress.totalEvents),
      });
      return [found, await endChecks(tx)] as const;
    });
  } catch (error) {
    if (checking) throw error;
    unfoldable = `the events cannot be folded: ${(error as Error).message}`;
    await readRecordsAfter(db, after, (records) => check(db, records));
    sealFindings = await endChecks(db);
  }
  if (broken) events.push(describeChainBreak(broken));
  const tail = await lostTail(db);
  if (tail) events.push(tail);
  const sealedTail = await sealedPastTheEnd(db);
  if (sealedTail) events.push(sealedTail);
  const editedCopy = await editedProfileCopy(db);
  if (editedCopy) events.push(editedCopy);
  for (const checkpoint of options.checkpoints ?? []) {
    if (!options.keys) throw new Error('--checkpoint needs --signing-keys-file (the key that signed the checkpoint)');
    add(events, await checkCheckpoint(db, options.keys, checkpoint));
  }
  add(events, sealFindings);
  add(events, await verifySealedResponses(db, options.keys));
  const signatures = await verifySignatures(db, options.keys, events);
  for (const mismatch of mismatches) (mismatch.ahead ? events : projection).push(`registry "${mismatch.registry}": ${mismatch.detail}`);
  if (unfoldable) events.push(unfoldable);
  return {
    events: counts.events,
    streams: counts.streams,
    checkpoints: options.checkpoints?.length ?? 0,
    signatures,
    audit: await readAudit(db),
    findings: [
      ...events.map((detail) => ({ level: 'events' as const, detail })),
      ...projection.map((detail) => ({ level: 'projection' as const, detail })),
    ],
  };
};

const MAX_NAMED = 5;

/**
 * One line naming the causes, event-level first. Rebuild is advised only when the events are
 * intact: rebuilding from a log that lost or changed events would erase the evidence.
 */
export const verifyFailureLine = (report: VerifyReport): string | undefined => {
  if (report.findings.length === 0) return undefined;
  const named = report.findings.slice(0, MAX_NAMED).map((finding) => finding.detail);
  if (report.findings.length > MAX_NAMED) named.push(`and ${report.findings.length - MAX_NAMED} more`);
  const eventLevel = report.findings.some((finding) => finding.level === 'events');
  const advice = eventLevel
    ? 'the event log is not what was written: keep this database as evidence, do not rebuild it; restore a backup'
    : 'run `profile-registry rebuild`';
  return `verify failed: ${named.join('; ')} (${advice})`;
};
