import type { SqlExecutor } from '../sql-database.js';
import type { SqlFlavour } from '../sql-flavour.js';

/** The columns that hold copies of an event's profile and profile version, where the flavour keeps them (see SqlFlavour.eventProfileCopies). */
export const PROFILE_COPY = 'data_profile';
export const PROFILE_VERSION_COPY = 'data_version';

/** The copy where there is one, else `expression`: rows without a copy (older ones) fall back to their data. */
const copiedOr = (flavour: SqlFlavour, copy: string, expression: string): string =>
  flavour.eventProfileCopies ? `coalesce(${copy}, ${expression})` : expression;

/** The profile an event's data names (SQL over an `events` row). */
export const profileOfData = (flavour: SqlFlavour): string => copiedOr(flavour, PROFILE_COPY, flavour.jsonTextAt('data_json', 'profile'));

/** The profile version an event's data names. */
export const profileVersionOfData = (flavour: SqlFlavour): string =>
  copiedOr(flavour, PROFILE_VERSION_COPY, flavour.jsonIntegerAt('data_json', 'version'));

/**
 * The copies of an event's data's profile and version, as the expressions above read them from its
 * text: a string, an integer, or null (no copy: the expression reads the text).
 */
export const profileCopiesOf = (data: unknown): [profile: string | null, version: number | null] => {
  const { profile, version } = data as { profile?: unknown; version?: unknown };
  return [typeof profile === 'string' ? profile : null, Number.isSafeInteger(version) ? (version as number) : null];
};

const eventColumns = async (db: SqlExecutor): Promise<string[]> => (await db.all<{ name: string }>(db.flavour.tableColumns('events'))).map((row) => row.name);

/** Whether the events table has the copies' columns (or is not there yet: it is created with them). */
export const hasProfileCopies = async (db: SqlExecutor): Promise<boolean> => {
  const columns = await eventColumns(db);
  return columns.length === 0 || columns.includes(PROFILE_COPY);
};

/** The copies' columns added to the events table of an earlier release (none of its rows has a copy). */
export const addProfileCopiesToEarlierLog = async (db: SqlExecutor): Promise<void> => {
  if (!db.flavour.eventProfileCopies || (await hasProfileCopies(db))) return;
  await db.exec(`ALTER TABLE events ADD COLUMN ${PROFILE_COPY} TEXT, ADD COLUMN ${PROFILE_VERSION_COPY} ${db.flavour.bigint}`);
};

/**
 * The first event whose copies say other than its data does, as a verify finding: the hash chain
 * covers the data's text, not the copies, and the profile index (a profile's history, diffs,
 * restores) reads the copies. Rows without copies (an earlier release's) read their text.
 */
export const editedProfileCopy = async (db: SqlExecutor): Promise<string | undefined> => {
  if (!db.flavour.eventProfileCopies) return undefined;
  const edited = await db.get<{ position: number | string }>(
    `SELECT position FROM events
     WHERE (${PROFILE_COPY} IS NOT NULL OR ${PROFILE_VERSION_COPY} IS NOT NULL)
       AND (${PROFILE_COPY} IS DISTINCT FROM ${db.flavour.jsonTextAt('data_json', 'profile')}
         OR ${PROFILE_VERSION_COPY} IS DISTINCT FROM ${db.flavour.jsonIntegerAt('data_json', 'version')})
     ORDER BY position LIMIT 1`,
  );
  return edited
    ? `the event at position ${edited.position} names another profile or version in ${PROFILE_COPY}/${PROFILE_VERSION_COPY} than in its data: the copies were edited`
    : undefined;
};

/** The events that give a profile a version. */
export const PROFILE_VERSION_EVENTS = "('profile.created', 'profile.updated', 'profile.deleted')";

/** The events that give a profile its content. */
export const PROFILE_CONTENT_EVENTS = "('profile.created', 'profile.updated')";

/** The events of one profile (the others of a registry stream are the registry's own). */
export const PROFILE_EVENTS = "('profile.created', 'profile.updated', 'profile.deleted', 'profile.published')";
