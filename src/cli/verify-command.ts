import { Command } from 'commander';
import { parseCheckpoints, type Checkpoint } from '../events/checkpoint.js';
import { auditLine } from '../projections/integrity-audit.js';
import { verifyFailureLine, verifyStore } from '../projections/verify-store.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { readInputFile } from './file-io.js';
import { progressBar, PROGRESS_AFTER_MS } from './progress-bar.js';
import { readSigningKeys, signingKeysOption, type SigningKeysFlags } from './signing-keys-option.js';
import { withReadOnlyDatabase } from './cli-store.js';
import { turnOffPretenuring } from './pretenuring.js';

interface VerifyFlags extends DatabaseFlags, SigningKeysFlags {
  checkpoint: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const verifyCommand = (): Command =>
  signingKeysOption(
    databaseOptions(
      new Command('verify').description(
        "check the events' hash chains, checkpoints, signatures and sealed rows, then rebuild the projections aside and compare them",
      ),
    ),
  )
    .option('--checkpoint <file>', 'a checkpoint file (repeatable): the database must still hold everything it saw', collect, [])
    .action(async (flags: VerifyFlags) => {
      const started = Date.now();
      turnOffPretenuring();
      const keys = await readSigningKeys(flags);
      const checkpoints: Checkpoint[] = [];
      for (const file of flags.checkpoint) checkpoints.push(...parseCheckpoints(await readInputFile(file)));
      if (checkpoints.length > 0 && !keys) throw new Error('--checkpoint needs --signing-keys-file (the key that signed it)');
      const bar = progressBar('verify [{bar}] {value}/{total} events', { delayMs: PROGRESS_AFTER_MS });
      const report = await withReadOnlyDatabase(flags, (db) =>
        verifyStore(db, { keys, checkpoints, onProgress: (done, total) => bar.update(done, total) }),
      ).finally(() => bar.stop());
      for (const record of report.audit) process.stderr.write(`verify: recorded: ${auditLine(record)}\n`);
      const failure = verifyFailureLine(report);
      if (failure) throw new Error(failure);
      const extras = [
        checkpoints.length > 0 ? `${checkpoints.length} checkpoint(s) hold` : undefined,
        report.signatures.checked > 0 ? `${report.signatures.checked} signature(s) valid` : undefined,
        report.signatures.unchecked > 0 ? `${report.signatures.unchecked} signature(s) not checked (no --signing-keys-file)` : undefined,
        // a SHA-256 chain and seals are recomputable by whoever can write the database
        keys ? 'every seal an HMAC of a listed key' : 'without --signing-keys-file this detects accidents, not forgery',
      ].filter((extra) => extra !== undefined);
      process.stdout.write(
        `verify ok: ${report.events} events in ${report.streams} registries, hash chains intact, projections match the events${extras.map((extra) => `, ${extra}`).join('')} (${Date.now() - started} ms)\n`,
      );
    });
