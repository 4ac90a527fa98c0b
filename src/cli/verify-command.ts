import { Command } from 'commander';
import { verifyHashChain } from '../events/verify-hash-chain.js';
import { verifyProjections, verifySnapshots } from '../projections/verify-projections.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { withStore } from './cli-store.js';

export const verifyCommand = (): Command =>
  databaseOptions(
    new Command('verify').description("check the events' hash chains, then rebuild the projections aside and compare them"),
  ).action(async (flags: DatabaseFlags) => {
    const started = Date.now();
    const summary = await withStore(flags, async (store) => {
      const chain = await verifyHashChain(store.db);
      if (chain.broken) {
        const { position, streamId, streamVersion, reason } = chain.broken;
        throw new Error(`verify failed: event at position ${position} (registry "${streamId}", version ${streamVersion}): ${reason}`);
      }
      const mismatch = (await verifyProjections(store.db)) ?? (await verifySnapshots(store.db));
      if (mismatch) {
        throw new Error(`verify failed: registry "${mismatch.registry}": ${mismatch.detail} (run \`profile-registry rebuild\`)`);
      }
      return chain;
    });
    process.stdout.write(
      `verify ok: ${summary.events} events in ${summary.streams} registries, hash chains intact, projections match the events (${Date.now() - started} ms)\n`,
    );
  });
