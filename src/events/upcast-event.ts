import { CURRENT_SCHEMA_VERSION, type EventType } from './event-types.js';

/**
 * Brings the data of an old schema version to the current shape; when a shape changes, its
 * upcaster goes here with a test that reads the old shape. `registry.created` and
 * `registry.updated` version 2 only added optional settings: version 1 data is read as it is.
 */
export const upcastEventData = (type: string, schemaVersion: number, data: unknown): unknown => {
  const current = CURRENT_SCHEMA_VERSION[type as EventType];
  if (current === undefined) throw new Error(`unknown event type "${type}"`);
  if (schemaVersion > current) throw new Error(`event type "${type}" has schema version ${schemaVersion}, newer than ${current}`);
  return data;
};
