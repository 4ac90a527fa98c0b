import type { SqlFlavour } from '../sql-flavour.js';

/** The profile an event's data names (SQL over an `events` row). */
export const profileOfData = (flavour: SqlFlavour): string => flavour.jsonTextAt('data_json', 'profile');

/** The profile version an event's data names. */
export const profileVersionOfData = (flavour: SqlFlavour): string => flavour.jsonIntegerAt('data_json', 'version');

/** The events that give a profile a version. */
export const PROFILE_VERSION_EVENTS = "('profile.created', 'profile.updated', 'profile.deleted')";

/** The events that give a profile its content. */
export const PROFILE_CONTENT_EVENTS = "('profile.created', 'profile.updated')";

/** The events of one profile (the others of a registry stream are the registry's own). */
export const PROFILE_EVENTS = "('profile.created', 'profile.updated', 'profile.deleted', 'profile.published')";
