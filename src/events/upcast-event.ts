import {
  CURRENT_SCHEMA_VERSION,
  type EventBody,
  type EventType,
  type RegistryCreatedData,
  type RegistryUpdatedData,
} from './event-types.js';

/** The data of an event type as it is now. */
type DataOf<T extends EventType> = Extract<EventBody, { type: T }>['data'];

/** `registry.created` and `registry.updated` of schema version 1: before the two `unknown_*` settings. */
type RegistryCreatedDataV1 = Omit<RegistryCreatedData, 'unknown_middlewares' | 'unknown_extensions'>;
type RegistryUpdatedDataV1 = Omit<RegistryUpdatedData, 'unknown_middlewares' | 'unknown_extensions'>;

/**
 * One step of an event type's shape: the data of schema version `from` to that of `from + 1`.
 * Typed by the shapes it reads and gives (Emmett's `upcast`, EventSourcing.NodeJS's versioned
 * event types); the last step gives the current shape.
 */
interface Upcaster<From, To> {
  from: number;
  upcast: (data: From) => To;
}

/**
 * The upcasters of every event type whose shape changed, oldest first. When a shape changes: a
 * new `CURRENT_SCHEMA_VERSION`, a step here from the previous version, and a test that reads the
 * old shape (test/events/decide-schema.test.ts reads version 1 of `registry.created`).
 */
const UPCASTERS: { [T in EventType]?: readonly Upcaster<never, DataOf<T>>[] } = {
  // version 2 added the optional `unknown_*` settings; absent means `allow`, so version 1 is read as it is
  'registry.created': [{ from: 1, upcast: (data: RegistryCreatedDataV1): RegistryCreatedData => data }],
  'registry.updated': [{ from: 1, upcast: (data: RegistryUpdatedDataV1): RegistryUpdatedData => data }],
};

/** Brings the data of an old schema version to the current shape, step by step; refuses a version it cannot read. */
export const upcastEventData = (type: string, schemaVersion: number, data: unknown): unknown => {
  const current = CURRENT_SCHEMA_VERSION[type as EventType];
  if (current === undefined) throw new Error(`unknown event type "${type}"`);
  if (schemaVersion > current) throw new Error(`event type "${type}" has schema version ${schemaVersion}, newer than ${current}`);
  let upcast = data;
  for (let version = schemaVersion; version < current; version += 1) {
    const step = UPCASTERS[type as EventType]?.find((each) => each.from === version);
    if (step === undefined) throw new Error(`event type "${type}" has no upcaster from schema version ${version}`);
    upcast = (step.upcast as (data: unknown) => unknown)(upcast);
  }
  return upcast;
};
