import { Command } from 'commander';
import { verifyHashChain } from '../events/verify-hash-chain.js';
import { countEvents } from '../projections/read-model.js';
import { verifyProjections, verifySnapshots } from '../projections/verify-projections.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { withReadOnlyDatabase } from './cli-store.js';
import { progressBar, PROGRESS_AFTER_MS } from './progress-bar.js';

export const verifyCommand = (): Command =>
  databaseOptions(
    new Command('verify').description("check the events' hash chains, then rebuild the projections aside and compare them"),
  ).action(async (flags: DatabaseFlags) => {
    const started = Date.now();
    // two passes over the events: their hash chains, then the rebuild of the projections
    const bar = progressBar('verify [{bar}] {value}/{total} events ({pass})', { delayMs: PROGRESS_AFTER_MS });
    const summary = await withReadOnlyDatabase(flags, async (db) => {
      const total = await countEvents(db);
      let checked = 0;
      const chain = await verifyHashChain(db, {
        onEvents: (count) => bar.update((checked += count), total, { pass: 'hash chains' }),
      });
      if (chain.broken) {
        const { position, streamId, streamVersion, reason } = chain.broken;
        throw new Error(`verify failed: event at position ${position} (registry "${streamId}", version ${streamVersion}): ${reason}`);
      }
      const mismatch =
        (await verifyProjections(db, {
          onProgress: (progress) => bar.update(progress.events, progress.totalEvents, { pass: 'projections' }),
        })) ?? (await verifySnapshots(db));
      if (mismatch) {
        throw new Error(`verify failed: registry "${mismatch.registry}": ${mismatch.detail} (run \`profile-registry rebuild\`)`);
      }
      return chain;
    }).finally(() => bar.stop());
    process.stdout.write(
      `verify ok: ${summary.events} events in ${summary.streams} registries, hash chains intact, projections match the events (${Date.now() - started} ms)\n`,
    );
  });
