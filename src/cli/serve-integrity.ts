import { InvalidArgumentError, Option, type Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import type { SigningKeys } from '../domain/signing-keys.js';
import { describeChainBreak, verifyHashChain, verifyStreamHeads } from '../events/verify-hash-chain.js';
import { startCheckpointWriter } from '../use-cases/checkpoint-writer.js';
import type { RegistryStore } from '../use-cases/registry-store.js';
import { verifyHeadSeals } from '../events/event-seals.js';
import { missingServedEvents } from '../projections/served-heads.js';
import { appendLine } from './file-io.js';
import { signingKeysOption, type SigningKeysFlags } from './signing-keys-option.js';

export interface ServeIntegrityFlags extends SigningKeysFlags {
  readOnlyForensics: boolean;
  chainCheck: 'before-writes' | 'before-listen' | 'background';
  checkpointEvery?: number;
  checkpointFile?: string;
  onIntegrityError: 'read-only' | 'refuse';
}

const parsePositive = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

/** The integrity flags of `serve`: signing keys, forensics, periodic checkpoints. */
export const serveIntegrityOptions = (command: Command): Command =>
  signingKeysOption(command)
    .option('--read-only-forensics', 'serve a database whose hash chain is broken, refusing every write (503)', false)
    .addOption(
      new Option(
        '--chain-check <when>',
        'verify every event hash while listening, writes waiting for it and a break stopping the server; before listening; or (large databases) while serving, turning read-only on a break',
      )
        .choices(['before-writes', 'before-listen', 'background'])
        .default('before-writes'),
    )
    .addOption(
      new Option('--on-integrity-error <what>', 'when the events are shorter than what was served: serve read-only (writes 503), or refuse to start')
        .choices(['read-only', 'refuse'])
        .default('read-only'),
    )
    .option('--checkpoint-every <events>', 'append a signed checkpoint to --checkpoint-file every this many events', parsePositive)
    .option('--checkpoint-file <file>', 'where the server appends its checkpoints (ship it away from the database)');

export const checkServeIntegrityFlags = (flags: ServeIntegrityFlags, keys: SigningKeys | undefined): void => {
  if ((flags.checkpointEvery === undefined) !== (flags.checkpointFile === undefined)) {
    throw new Error('give both --checkpoint-every and --checkpoint-file, or neither');
  }
  if (flags.checkpointFile !== undefined && !keys) throw new Error('--checkpoint-file needs --signing-keys-file (checkpoints are signed)');
};

/** Whether the whole chain is checked before listening (forensics needs the break's name for its reason). */
const wholeChainFirst = (flags: ServeIntegrityFlags): boolean =>
  flags.chainCheck === 'before-listen' || (flags.chainCheck === 'before-writes' && flags.readOnlyForensics);

/** The line a server that will not serve a broken chain stops with. */
const refusal = (broken: string): string =>
  `refusing to serve: the hash chain is broken at ${broken}; run \`profile-registry verify\`, or serve it with --read-only-forensics`;

/**
 * Before serving: every stream head against its last event, and (`--chain-check before-listen`)
 * every event's hash; with signing keys, the seal of each stream's last event, an HMAC of a listed
 * key over a hash that covers the whole stream (O(registries): an event rewritten with its SHA-256
 * chain recomputed, or appended by someone without the key, fails it). A broken chain or seal is
 * refused (one clear line), or with --read-only-forensics served with every write refused.
 */
export const checkLogBeforeServing = async (store: RegistryStore, flags: ServeIntegrityFlags, log: FastifyBaseLogger) => {
  const started = Date.now();
  const check = async () => {
    const heads = await verifyStreamHeads(store.db);
    const chain = !wholeChainFirst(flags) && !heads ? undefined : await verifyHashChain(store.db);
    return { chain, brokenAt: heads ?? chain?.broken };
  };
  const checkSeals = async () => (store.signingKeys ? verifyHeadSeals(store.db, store.signingKeys) : undefined);
  let { chain, brokenAt } = await check();
  let unsealed = brokenAt ? undefined : await checkSeals();
  // the check reads the events, then the heads, outside one snapshot: another instance that writes
  // in between (instances that start together seed the store) looks like a break; a real one stays
  for (let again = 0; (brokenAt || unsealed) && again < 3; again++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    ({ chain, brokenAt } = await check());
    unsealed = brokenAt ? undefined : await checkSeals();
  }
  if (brokenAt || unsealed) {
    const broken = brokenAt ? describeChainBreak(brokenAt) : (unsealed as string);
    if (!flags.readOnlyForensics) {
      throw new Error(
        brokenAt
          ? refusal(broken)
          : `refusing to serve: the events do not verify under the signing keys: ${broken}; run \`profile-registry verify\`, or serve it with --read-only-forensics`,
      );
    }
    store.readOnly = `read-only forensics: the event log failed verification (${broken}); every write is refused`;
    log.warn({ broken }, 'serving a broken hash chain read-only for forensics');
  } else if (flags.readOnlyForensics) {
    store.readOnly = 'read-only forensics: every write is refused';
  }
  const missing = await missingServedEvents(store.db);
  if (missing.length > 0) {
    const what = `the event log is shorter than what was served: ${missing.join('; ')}`;
    if (flags.onIntegrityError === 'refuse') {
      throw new Error(`refusing to serve: ${what}; keep this database as evidence and restore a backup (or serve it with --on-integrity-error read-only)`);
    }
    store.readOnly ??= `read-only: ${what}; every write is refused (keep this database as evidence and restore a backup)`;
    log.error({ missing }, 'THE EVENT LOG IS SHORTER THAN WHAT WAS SERVED: every write is refused; keep this database as evidence and restore a backup');
  }
  if (chain) log.info({ events: chain.events, registries: chain.streams, ms: Date.now() - started }, 'hash chains checked');
  else log.info({ ms: Date.now() - started }, 'stream heads checked; checking the hash chains in the background');
};

const BACKGROUND_CHUNK_EVENTS = 500;

/**
 * The whole chain checked while serving, in small chunks (requests wait for at most one chunk's
 * hashes, a few milliseconds); a break turns every write away, then `onBroken` says so.
 */
const checkWholeChain = (
  store: RegistryStore,
  log: FastifyBaseLogger,
  checkedMessage: string,
  onBroken: (broken: string) => void,
  onFailure: (error: unknown) => void,
): Promise<void> => {
  const started = Date.now();
  return verifyHashChain(store.db, { chunkSize: BACKGROUND_CHUNK_EVENTS }).then((chain) => {
    if (!chain.broken) {
      log.info({ events: chain.events, registries: chain.streams, ms: Date.now() - started }, checkedMessage);
      return;
    }
    const broken = describeChainBreak(chain.broken);
    store.readOnly = `read-only: the event log failed verification (${broken}); every write is refused`;
    onBroken(broken);
  }, onFailure);
};

/**
 * With --chain-check before-writes (the default): the full check starts now and every write
 * waits for it (reads are answered meanwhile); on a break every write is refused and `refuse` is
 * called with the line `before-listen` would have refused to start with (serve stops with it).
 * Call before the first write (seeding) and before listening.
 */
export const checkChainBeforeWrites = (store: RegistryStore, flags: ServeIntegrityFlags, log: FastifyBaseLogger, refuse: (line: string) => void): void => {
  if (flags.chainCheck !== 'before-writes' || wholeChainFirst(flags) || store.readOnly !== undefined) return;
  const checked = checkWholeChain(
    store,
    log,
    'hash chains checked; writes accepted',
    (broken) => refuse(refusal(broken)),
    (error) => {
      const reason = error instanceof Error ? error.message : String(error);
      store.readOnly = `read-only: the hash chains could not be checked (${reason}); every write is refused`;
      refuse(`refusing to serve: could not check the hash chains: ${reason}`);
    },
  );
  store.writesWaitFor(checked);
};

/** With --chain-check background: the full check runs while serving; a break turns every write away from then on. */
export const checkChainInBackground = (store: RegistryStore, flags: ServeIntegrityFlags, log: FastifyBaseLogger): void => {
  if (flags.chainCheck !== 'background' || store.readOnly !== undefined) return;
  void checkWholeChain(
    store,
    log,
    'hash chains checked',
    (broken) => log.error({ broken }, 'the hash chain is broken: every write is refused from now on'),
    (error) => log.error({ err: error }, 'could not check the hash chains'),
  );
};

export const startServerCheckpoints = async (
  store: RegistryStore,
  flags: ServeIntegrityFlags,
  keys: SigningKeys | undefined,
  log: FastifyBaseLogger,
) => {
  if (flags.checkpointFile === undefined || flags.checkpointEvery === undefined || !keys || store.readOnly !== undefined) return undefined;
  const file = flags.checkpointFile;
  return startCheckpointWriter(store, {
    keys,
    every: flags.checkpointEvery,
    write: (line) => appendLine(file, line),
    onError: (error) => log.error({ err: error, file }, 'could not write a checkpoint'),
  });
};
