import { Command } from 'commander';
import { rebuildProjections } from '../projections/rebuild.js';
import { DEFAULT_SNAPSHOT_EVERY } from '../projections/registry-snapshots.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { withStore } from './cli-store.js';
import { progressBar } from './progress-bar.js';

export const rebuildCommand = (): Command =>
  databaseOptions(new Command('rebuild').description('recreate every projection and snapshot from the events')).action(
    async (flags: DatabaseFlags) => {
      const started = Date.now();
      const bar = progressBar('rebuild [{bar}] {value}/{total} events | {registries} registries');
      const result = await withStore(flags, (store) =>
        rebuildProjections(store.db, {
          snapshotEvery: DEFAULT_SNAPSHOT_EVERY, // an operator's rebuild also repairs snapshots
          onProgress: (progress) => bar.update(progress.events, progress.totalEvents, { registries: progress.registries }),
        }),
      ).finally(() => bar.stop());
      process.stdout.write(
        `rebuilt ${result.registries} registries from ${result.events} events in ${Date.now() - started} ms\n`,
      );
    },
  );
