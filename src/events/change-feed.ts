/**
 * A profile whose fingerprint a change changed (`null` once the profile is gone), with the version
 * its document had then. `default: true` marks what a default switch changed: the registry's
 * default now resolves to this profile (a runtime that resolves without naming a profile gets it).
 */
export interface AffectedProfile {
  registry: string;
  profile: string;
  /** Absent in rows written before versions were recorded. */
  profile_version?: number | null;
  fingerprint: string | null;
  default?: true;
}

/** Affected profiles by the position of the event that caused them. */
export type AffectedByPosition = ReadonlyMap<number, AffectedProfile[]>;
