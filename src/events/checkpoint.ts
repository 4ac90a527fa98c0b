import { hmacOf, sameDigest, type SigningKeys } from '../domain/signing-keys.js';
import type { SqlExecutor } from './sql-database.js';

export const CHECKPOINT_FORMAT = 'profile-registry-checkpoint/1';

/**
 * What the log held at one moment: its last position and every stream's head (version and the
 * hash of its last event), under an HMAC. Kept outside the database, it proves later that the
 * database still holds every event it saw: a hash chain alone cannot tell a stream whose tail was
 * cut off (and its head fixed up) from one that never went further.
 */
export interface Checkpoint {
  format: string;
  position: number;
  taken_at: string;
  streams: Record<string, { version: number; hash: string }>;
  key_id: string;
  hmac: string;
}

const signedPart = (checkpoint: Omit<Checkpoint, 'hmac'>) => ({
  format: checkpoint.format,
  position: checkpoint.position,
  taken_at: checkpoint.taken_at,
  streams: checkpoint.streams,
  key_id: checkpoint.key_id,
});

/** Reads the stream heads in one statement (one consistent snapshot) and signs them with the signing key. */
export const takeCheckpoint = async (executor: SqlExecutor, keys: SigningKeys, nowMs: number): Promise<Checkpoint> => {
  const streams: Checkpoint['streams'] = {};
  let position = 0;
  for (const stream of await executor.events.listStreams()) {
    streams[stream.streamId] = { version: stream.version, hash: stream.hash };
    position = Math.max(position, stream.lastPosition);
  }
  const unsigned = { format: CHECKPOINT_FORMAT, position, taken_at: new Date(nowMs).toISOString(), streams, key_id: keys.signing.id };
  return { ...unsigned, hmac: hmacOf(keys.signing.secret, signedPart(unsigned)) };
};

export const checkpointLine = (checkpoint: Checkpoint): string => `${JSON.stringify(checkpoint)}\n`;

/** The checkpoints of a file: one JSON object per line (as `checkpoint` and the server append them), or one JSON document. */
export const parseCheckpoints = (text: string): Checkpoint[] => {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('checkpoint file is empty');
  const parseOne = (json: string, where: string): Checkpoint => {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new Error(`checkpoint file: ${where} is not JSON`);
    }
    const candidate = value as Partial<Checkpoint>;
    if (
      typeof value !== 'object' ||
      value === null ||
      candidate.format !== CHECKPOINT_FORMAT ||
      typeof candidate.position !== 'number' ||
      typeof candidate.streams !== 'object' ||
      candidate.streams === null ||
      typeof candidate.key_id !== 'string' ||
      typeof candidate.hmac !== 'string'
    ) {
      throw new Error(`checkpoint file: ${where} is not a ${CHECKPOINT_FORMAT} checkpoint`);
    }
    return value as Checkpoint;
  };
  try {
    return [parseOne(trimmed, 'the file')];
  } catch {
    return trimmed
      .split('\n')
      .map((line, index) => [line.trim(), index] as const)
      .filter(([line]) => line !== '')
      .map(([line, index]) => parseOne(line, `line ${index + 1}`));
  }
};

/** Every way the database fails to hold what the checkpoint saw (empty when it holds it all). */
export const checkCheckpoint = async (executor: SqlExecutor, keys: SigningKeys, checkpoint: Checkpoint): Promise<string[]> => {
  const name = `checkpoint of ${checkpoint.taken_at} (position ${checkpoint.position})`;
  const key = keys.byId.get(checkpoint.key_id);
  if (!key) return [`${name} is signed with key "${checkpoint.key_id}", which the signing keys file does not list`];
  const { hmac, ...unsigned } = checkpoint;
  if (!sameDigest(hmac, hmacOf(key.secret, signedPart(unsigned)))) {
    return [`${name}: its hmac does not match (the checkpoint itself was edited)`];
  }
  const findings: string[] = [];
  for (const [streamId, head] of Object.entries(checkpoint.streams).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const event = await executor.events.readRecord(streamId, head.version);
    if (!event) {
      const [last] = await executor.events.readStream(streamId, { backwards: true, limit: 1 });
      findings.push(
        `registry "${streamId}": the ${name} saw version ${head.version}, the events end at version ${last?.stream_version ?? 0}: events were deleted`,
      );
    } else if (event.hash !== head.hash) {
      findings.push(`registry "${streamId}" version ${head.version} is not the event the ${name} saw: it was replaced`);
    }
  }
  const last = await executor.events.lastPosition();
  if (last < checkpoint.position) {
    findings.push(`the log ends at position ${last}, before the ${name}: events were deleted`);
  }
  return findings;
};
