import type { RegisteredSchema, SchemaLookup } from '../domain/profile-schema-validation.js';
import type { SchemaDocument, SchemaKind } from '../domain/schema-documents.js';
import type { DomainEvent } from './event-types.js';
import type { ChangeStamp } from './registry-state.js';

/**
 * The stream that holds every schema of middlewares and extensions. Its id is not a slug (a slug
 * never starts with `$`), so no registry can share it.
 */
export const SCHEMA_STREAM = '$schemas';

export interface SchemaEntry {
  kind: SchemaKind;
  name: string;
  /** Grows by one with every change of this schema, its deletion included. */
  version: number;
  document: SchemaDocument;
  stamp: ChangeStamp;
}

/** Every registered schema, as the schema stream's events leave them. */
export interface SchemaState {
  /** Stream version: the number of events in the schema stream. */
  version: number;
  /** By `schemaKey(kind, name)`. */
  entries: Map<string, SchemaEntry>;
  /** Last version of each deleted schema, so that a registered-again name continues its versions. */
  tombstones: Map<string, number>;
}

export const schemaKey = (kind: SchemaKind, name: string): string => `${kind}/${name}`;

export const emptySchemaState = (): SchemaState => ({ version: 0, entries: new Map(), tombstones: new Map() });

export const schemaVersionAfter = (state: SchemaState, kind: SchemaKind, name: string): number => {
  const key = schemaKey(kind, name);
  return state.entries.get(key)?.version ?? state.tombstones.get(key) ?? 0;
};

/** Applies one event of the schema stream; returns a new state (the old one stays as it was). */
export const evolveSchemas = (state: SchemaState, event: DomainEvent): SchemaState => {
  const next: SchemaState = { version: state.version + 1, entries: new Map(state.entries), tombstones: new Map(state.tombstones) };
  const at = event.metadata;
  if (event.type === 'schema.registered') {
    const key = schemaKey(event.data.kind, event.data.name);
    const previous = next.entries.get(key);
    next.tombstones.delete(key);
    next.entries.set(key, {
      kind: event.data.kind,
      name: event.data.name,
      version: event.data.version,
      document: event.data.document,
      stamp: {
        created_at_ms: previous?.stamp.created_at_ms ?? at.occurred_at_ms,
        created_by: previous?.stamp.created_by ?? at.actor,
        updated_at_ms: at.occurred_at_ms,
        updated_by: at.actor,
        source: at.source,
      },
    });
  } else if (event.type === 'schema.deleted') {
    const key = schemaKey(event.data.kind, event.data.name);
    next.entries.delete(key);
    next.tombstones.set(key, event.data.version);
  }
  return next;
};

export const foldSchemaEvents = (events: Iterable<DomainEvent>): SchemaState => {
  let state = emptySchemaState();
  for (const event of events) state = evolveSchemas(state, event);
  return state;
};

/** Looks schemas up in a state, for profile validation. */
export const schemaLookupOf = (state: SchemaState): SchemaLookup => {
  const lookup = (kind: SchemaKind, name: string): RegisteredSchema | undefined => {
    const entry = state.entries.get(schemaKey(kind, name));
    return entry && { version: entry.version, schema: entry.document.schema };
  };
  // a state is never changed (evolveSchemas makes a new one): each answer is computed once
  const has = new Map<SchemaKind, boolean>();
  const hasEntries = (kind: SchemaKind): boolean => {
    let answer = has.get(kind);
    if (answer === undefined) has.set(kind, (answer = hasSchemasOfKind(state, kind)));
    return answer;
  };
  return Object.assign(lookup, { hasEntries });
};

/** Whether a kind's catalog has any entry (with `except` left out, as after its deletion). */
export const hasSchemasOfKind = (state: SchemaState, kind: SchemaKind, except?: string): boolean => {
  for (const entry of state.entries.values()) if (entry.kind === kind && entry.name !== except) return true;
  return false;
};

/** Schemas of one kind, sorted by name (byte order, as the list routes answer). */
export const schemasOfKind = (state: SchemaState, kind: SchemaKind): SchemaEntry[] =>
  [...state.entries.values()].filter((entry) => entry.kind === kind).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
