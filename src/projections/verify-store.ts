import { checkSeal, sealProblem } from '../domain/row-seal.js';
import { signatureVerdict } from '../domain/profile-signature.js';
import type { ProfileContent } from '../domain/profile.js';
import type { SigningKeys } from '../domain/signing-keys.js';
import { checkCheckpoint, type Checkpoint } from '../events/checkpoint.js';
import type { StoredEvent } from '../events/event-types.js';
import type { SqlDatabase } from '../events/sql-database.js';
import { describeChainBreak, lostTail, verifyHashChain } from '../events/verify-hash-chain.js';
import { changeRowSealed, readChangeRowsWithHashes } from './change-feed-store.js';
import { sealedPastTheEnd, verifyEventSeals } from '../events/event-seals.js';
import { readAllSealedResponses } from './idempotency-store.js';
import { readAudit, type AuditRecord } from './integrity-audit.js';
import { verifyProjections, verifySnapshots } from './verify-projections.js';

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
  /** Progress of the two passes over the events: their hash chains, then the rebuild aside. */
  onProgress?: (pass: 'hash chains' | 'projections', done: number, total: number) => void;
}

const PAGE = 1000;

/** History rows that are not events but are not rebuildable either: checked against their seals and their events. */
const verifySealedRows = async (db: SqlDatabase, keys: SigningKeys | undefined): Promise<string[]> => {
  const findings: string[] = [];
  for await (const { position, affected_json, seal, hash } of readChangeRowsWithHashes(db)) {
    if (hash === undefined) {
      findings.push(`change feed row at position ${position} has no event: the event was deleted`);
      continue;
    }
    const check = checkSeal(keys, seal, changeRowSealed(position, hash, affected_json));
    if (check !== 'ok' && !(check === 'unknown_key' && !keys)) {
      findings.push(`change feed row at position ${position} was edited: ${sealProblem(check)}`);
    }
  }
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
  const findings = [...(await verifyEventSeals(db, keys)), ...(await verifySealedRows(db, keys))];
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
 */
export const verifyStore = async (db: SqlDatabase, options: VerifyOptions = {}): Promise<VerifyReport> => {
  const events: string[] = [];
  const projection: string[] = [];
  const total = await db.events.countEvents();
  let checked = 0;
  const chain = await verifyHashChain(db, { onEvents: (count) => options.onProgress?.('hash chains', (checked += count), total) });
  if (chain.broken) events.push(describeChainBreak(chain.broken));
  const tail = await lostTail(db);
  if (tail) events.push(tail);
  const sealedTail = await sealedPastTheEnd(db);
  if (sealedTail) events.push(sealedTail);
  for (const checkpoint of options.checkpoints ?? []) {
    if (!options.keys) throw new Error('--checkpoint needs --signing-keys-file (the key that signed the checkpoint)');
    add(events, await checkCheckpoint(db, options.keys, checkpoint));
  }
  add(events, await verifyEventSeals(db, options.keys));
  add(events, await verifySealedRows(db, options.keys));
  const signatures = await verifySignatures(db, options.keys, events);
  try {
    // the snapshots before the rebuild aside, which ends holding every registry that stacks on
    // another: one after the other, their memory peaked together (641 MB at 100,000 events)
    const snapshot = await verifySnapshots(db);
    const mismatches = await verifyProjections(db, {
      onProgress: (progress) => options.onProgress?.('projections', progress.events, progress.totalEvents),
    });
    for (const mismatch of snapshot ? [...mismatches, snapshot] : mismatches) {
      (mismatch.ahead ? events : projection).push(`registry "${mismatch.registry}": ${mismatch.detail}`);
    }
  } catch (error) {
    events.push(`the events cannot be folded: ${(error as Error).message}`);
  }
  return {
    events: chain.events,
    streams: chain.streams,
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
