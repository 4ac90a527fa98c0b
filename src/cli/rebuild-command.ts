import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { rebuildProjections } from '../projections/rebuild.js';
import { DEFAULT_SNAPSHOT_EVERY } from '../projections/registry-snapshots.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { withStore } from './cli-store.js';

export const rebuildCommand = (): Command =>
  databaseOptions(new Command('rebuild').description('recreate every projection and snapshot from the events')).action(
    async (flags: DatabaseFlags) => {
      const started = Date.now();
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: 'rebuild [{bar}] {value}/{total} events | {registries} registries' },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let barStarted = false;
      const result = await withStore(flags, (store) =>
        rebuildProjections(store.db, {
          snapshotEvery: DEFAULT_SNAPSHOT_EVERY, // an operator's rebuild also repairs snapshots
          onProgress: (progress) => {
            if (!barStarted) bar?.start(progress.totalEvents, 0, { registries: 0 });
            barStarted = true;
            bar?.update(progress.events, { registries: progress.registries });
          },
        }),
      ).finally(() => bar?.stop());
      process.stdout.write(
        `rebuilt ${result.registries} registries from ${result.events} events in ${Date.now() - started} ms\n`,
      );
    },
  );
