import { Command } from 'commander';
import { checkpointLine, takeCheckpoint } from '../events/checkpoint.js';
import { describeChainBreak, verifyHashChain } from '../events/verify-hash-chain.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { appendLine } from './file-io.js';
import { requireSigningKeys, signingKeysOption, type SigningKeysFlags } from './signing-keys-option.js';
import { withStore } from './cli-store.js';

interface CheckpointFlags extends DatabaseFlags, SigningKeysFlags {
  output?: string;
}

export const checkpointCommand = (): Command =>
  signingKeysOption(
    databaseOptions(
      new Command('checkpoint').description(
        'print (or append to a file) a signed checkpoint of every stream head; keep it away from the database, check it with verify --checkpoint',
      ),
    ),
  )
    .option('--output <file>', 'append the checkpoint line to this file (mode 0600) instead of printing it')
    .action(async (flags: CheckpointFlags) => {
      const keys = await requireSigningKeys(flags, 'checkpoint');
      const checkpoint = await withStore(flags, async (store) => {
        // a checkpoint vouches for the log as it is: it is never taken of a broken one
        const chain = await verifyHashChain(store.db);
        if (chain.broken) throw new Error(`checkpoint refused: the hash chain is broken at ${describeChainBreak(chain.broken)}`);
        return takeCheckpoint(store.db, keys, Date.now());
      });
      if (flags.output === undefined) process.stdout.write(checkpointLine(checkpoint));
      else {
        await appendLine(flags.output, checkpointLine(checkpoint));
        process.stdout.write(`checkpoint at position ${checkpoint.position} (${Object.keys(checkpoint.streams).length} registries) appended to ${flags.output}\n`);
      }
    });
