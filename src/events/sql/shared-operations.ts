import type { EventStoreOperations } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { countEvents } from './count-events.js';
import { lastPosition } from './last-position.js';
import { listStreams } from './list-streams.js';
import { readHashes } from './read-hashes.js';
import { readLatestContent } from './read-latest-content.js';
import { readProfileEvents } from './read-profile-events.js';
import { readProfileEventsAt } from './read-profile-events-at.js';
import { readRecord } from './read-record.js';
import { readRecords } from './read-records.js';
import { readStream } from './read-stream.js';
import { readStreamEnds } from './read-stream-ends.js';
import { streamHead } from './stream-head.js';
import { streamVersionAt } from './stream-version-at.js';
import { streamVersionAtPosition } from './stream-version-at-position.js';
import { streamsNamingProfile } from './streams-naming-profile.js';

/** The operations whose SQL is the same on SQLite and PostgreSQL (assembled from the flavour). */
export const SHARED_SQL_OPERATIONS = {
  readStream,
  readRecords,
  readRecord,
  readHashes,
  readProfileEvents,
  readProfileEventsAt,
  readLatestContent,
  streamsNamingProfile,
  streamHead,
  streamVersionAt,
  streamVersionAtPosition,
  listStreams,
  readStreamEnds,
  lastPosition,
  countEvents,
} satisfies Partial<EventStoreOperations<SqlStatements>>;
