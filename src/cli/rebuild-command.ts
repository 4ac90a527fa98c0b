import { signingKeysOption } from './signing-keys-option.js';
import { Command } from 'commander';
import { rebuildCheckingChain } from '../projections/rebuild-checked.js';
import { DEFAULT_SNAPSHOT_EVERY } from '../events/snapshots.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { cliContext, withStore } from './cli-store.js';
import { progressBar } from './progress-bar.js';
import { renewStoreIdentity } from '../events/store-identity.js';
import { redactText } from '../domain/secrets.js';

interface RebuildFlags extends DatabaseFlags {
  acceptBrokenChain: boolean;
}

export const rebuildCommand = (): Command =>
  signingKeysOption(databaseOptions(new Command('rebuild').description('recreate every projection and snapshot from the events (refused on a broken hash chain)')))
    .option('--accept-broken-chain', 'rebuild even from a broken hash chain or seals that do not verify (recorded in integrity_audit; with keys, then seals everything again under them)', false)
    .action(async (flags: RebuildFlags) => {
      const started = Date.now();
      const bar = progressBar('rebuild [{bar}] {value}/{total} events | {registries} registries');
      let identity = '';
      const result = await withStore(flags, async (store) => {
        const rebuilt = await rebuildCheckingChain(store.db, {
          acceptBrokenChain: flags.acceptBrokenChain,
          keys: store.signingKeys,
          actor: cliContext().actor,
          nowMs: Date.now(),
          snapshotEvery: DEFAULT_SNAPSHOT_EVERY, // an operator's rebuild also repairs snapshots
          onProgress: (progress) => bar.update(progress.events, progress.totalEvents, { registries: progress.registries }),
          onRowsAsideFailed: (error) =>
            process.stderr.write(`rebuild: the registry rows' worker failed (${redactText(error instanceof Error ? error.message : String(error))}); its registries were computed on the main thread\n`),
        });
        // watchers holding a position of the store before the rebuild start over from the next start of a server
        identity = await renewStoreIdentity(store.db);
        return rebuilt;
      }).finally(() => bar.stop());
      if (result.acceptedBreak) {
        process.stderr.write(`rebuild: WARNING: rebuilt over a broken hash chain (${result.acceptedBreak}); recorded in integrity_audit\n`);
      }
      process.stdout.write(
        `rebuilt ${result.registries} registries from ${result.events} events in ${Date.now() - started} ms; new store identity ${identity}\n`,
      );
    });
