/** A profile whose fingerprint a change changed (`null` once the profile is gone). */
export interface AffectedProfile {
  registry: string;
  profile: string;
  fingerprint: string | null;
}

/** Affected profiles by the position of the event that caused them. */
export type AffectedByPosition = ReadonlyMap<number, AffectedProfile[]>;
