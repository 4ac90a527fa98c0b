import type { ProfileContent } from '../domain/profile.js';
import type { ProfileSignature } from '../domain/profile-signature.js';
import type { SchemaDocument, SchemaKind, UnknownNamesPolicy } from '../domain/schema-documents.js';

/**
 * The events of a registry stream. An event type, once written, never changes shape:
 * a new shape gets a new schema_version and an upcaster in upcast-event.ts.
 */
/** Schema version 2 added the two `unknown_*` settings (absent in version 1: allow). */
export interface RegistryCreatedData {
  slug: string;
  display_name?: string;
  description?: string;
  unknown_middlewares?: UnknownNamesPolicy;
  unknown_extensions?: UnknownNamesPolicy;
}
export interface RegistryUpdatedData {
  display_name?: string | null;
  description?: string | null;
  unknown_middlewares?: UnknownNamesPolicy;
  unknown_extensions?: UnknownNamesPolicy;
}
export type RegistryDeletedData = Record<string, never>;
export interface ProfileCreatedData {
  profile: string;
  version: number;
  content: ProfileContent;
}
export interface ProfileUpdatedData {
  profile: string;
  version: number;
  content: ProfileContent;
}
export interface ProfileDeletedData {
  profile: string;
  version: number;
}
/** A signature of the profile's version `version` (publishing changes no content and no profile version). */
export type ProfilePublishedData = { profile: string } & ProfileSignature;
export interface DefaultProfileChangedData {
  profile: string | null;
}

/** A stored profile that a forced schema change left invalid, with the first error. */
export interface BrokenProfile {
  registry: string;
  profile: string;
  path: string;
  message: string;
}
/** Events of the schema stream (SCHEMA_STREAM): `version` counts the changes of that one schema. */
export interface SchemaRegisteredData {
  kind: SchemaKind;
  name: string;
  version: number;
  document: SchemaDocument;
  /** Present when the change was forced: the stored profiles it left invalid. */
  forced?: { broken: BrokenProfile[] };
}
export interface SchemaDeletedData {
  kind: SchemaKind;
  name: string;
  version: number;
  forced?: { broken: BrokenProfile[] };
}

export type EventBody =
  | { type: 'registry.created'; data: RegistryCreatedData }
  | { type: 'registry.updated'; data: RegistryUpdatedData }
  | { type: 'registry.deleted'; data: RegistryDeletedData }
  | { type: 'profile.created'; data: ProfileCreatedData }
  | { type: 'profile.updated'; data: ProfileUpdatedData }
  | { type: 'profile.deleted'; data: ProfileDeletedData }
  | { type: 'profile.published'; data: ProfilePublishedData }
  | { type: 'registry.default_profile_changed'; data: DefaultProfileChangedData }
  | { type: 'schema.registered'; data: SchemaRegisteredData }
  | { type: 'schema.deleted'; data: SchemaDeletedData };

export type EventType = EventBody['type'];

export const CURRENT_SCHEMA_VERSION: Record<EventType, number> = {
  'registry.created': 2,
  'registry.updated': 2,
  'registry.deleted': 1,
  'profile.created': 1,
  'profile.updated': 1,
  'profile.deleted': 1,
  'profile.published': 1,
  'registry.default_profile_changed': 1,
  'schema.registered': 1,
  'schema.deleted': 1,
};

/**
 * Why a command's events were written, when it was more than an edit: a restore (to which version,
 * or as of which time) or an import. Absent on edits and on every event written before it existed
 * (an optional field, read as it is: no upcaster needed).
 */
export type EventCause =
  | { type: 'restore'; to_version: number; as_of_ms?: number }
  | { type: 'import'; source_version?: number };

export interface EventMetadata {
  actor: string;
  /** Whom an admin said it acted for (absent otherwise). */
  on_behalf_of?: string;
  source: string;
  request_id: string;
  occurred_at_ms: number;
  cause?: EventCause;
}

export type DomainEvent = EventBody & { schema_version: number; metadata: EventMetadata };

export type StoredEvent = DomainEvent & {
  position: number;
  stream_id: string;
  stream_version: number;
  prev_hash: string;
  hash: string;
};

/** The profile an event is about, if any. */
export const eventProfile = (event: EventBody): string | undefined =>
  'profile' in event.data && typeof event.data.profile === 'string' ? event.data.profile : undefined;
