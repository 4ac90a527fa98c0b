import { Command } from 'commander';
import { profileNotFound } from '../domain/errors.js';
import { requireProfileSlug, requireRegistrySlug } from '../domain/slug.js';
import { eventProfile } from '../events/event-types.js';
import { readStreamPage } from '../events/read-stream-page.js';
import { profileHistory, readProfileVersions } from '../projections/profile-history.js';
import { streamHeadVersion } from '../projections/time-travel.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { withReadOnlyDatabase } from './cli-store.js';
import { includeSecretsOption, secretKeyOptions } from './secret-options.js';
import { redactChanges, redactSecrets, SECRET_AREAS } from '../domain/secrets.js';
import { storeFingerprintKey } from '../projections/fingerprint-key-store.js';

interface HistoryFlags extends DatabaseFlags {
  registry: string;
  profile?: string;
  json: boolean;
  includeSecrets?: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export const historyCommand = (): Command =>
  includeSecretsOption(
    secretKeyOptions(databaseOptions(new Command('history').description("print a registry's events, or a profile's versions (newest first)"))),
    'print',
  )
    .requiredOption('--registry <slug>', 'registry')
    .option('--profile <slug>', 'one profile: its versions with their RFC 6902 changes')
    .option('--json', 'print JSON instead of lines', false)
    .action(async (flags: HistoryFlags) => {
      const registry = requireRegistrySlug(flags.registry);
      await withReadOnlyDatabase(flags, async (db) => {
        if ((await streamHeadVersion(db, registry)) === 0) throw new Error(`registry "${registry}" not found`);
        if (flags.profile !== undefined) {
          const slug = requireProfileSlug(flags.profile);
          const versions = await readProfileVersions(db, registry, slug);
          if (versions.length === 0) throw profileNotFound();
          const entries = profileHistory(await storeFingerprintKey(db), registry, slug, versions).map((entry) =>
            flags.includeSecrets ? entry : { ...entry, changes: redactChanges(entry.changes, SECRET_AREAS.profile) },
          );
          if (flags.json) return void process.stdout.write(`${JSON.stringify({ registry, profile: slug, versions: entries }, null, 2)}\n`);
          for (const entry of entries) {
            process.stdout.write(
              `v${entry.version}\t${iso(entry.at_ms)}\t${entry.actor}\t${entry.source}\t${entry.type}\t${JSON.stringify(entry.changes)}\n`,
            );
          }
          return;
        }
        for (let after = 0; ; ) {
          const events = await readStreamPage(db, registry, after, 1000);
          for (const event of events) {
            const profile = eventProfile(event) ?? '';
            if (flags.json) process.stdout.write(`${JSON.stringify(flags.includeSecrets ? event : redactSecrets([event], SECRET_AREAS.events)[0])}\n`);
            else {
              process.stdout.write(
                `#${event.position}\tv${event.stream_version}\t${iso(event.metadata.occurred_at_ms)}\t${event.metadata.actor}\t${event.metadata.source}\t${event.type}\t${profile}\n`,
              );
            }
          }
          if (events.length < 1000) break;
          after = events[events.length - 1].position;
        }
      });
    });
