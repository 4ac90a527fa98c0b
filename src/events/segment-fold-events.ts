import type { EventRecord } from './event-store.js';
import type { StoredEvent } from './event-types.js';
import { contentEventOf, dataHeadOf, isCurrentContentEvent, writtenHeadOf, type DataHead } from './sql/read-latest-content.js';

/**
 * The events of a segment of the log as a fold of every stream to its end takes them, gathered by
 * the thread that reads them for the chain check and handed to the thread that folds, so that the
 * log is read once (the rebuild): a creation or update of the current shape by its head (profile
 * and version, REPLACED_CONTENT: the fold reads each profile's last content at its end), an update
 * of the current shape without its metadata (UNREAD_METADATA: see rebuild.ts), no event with its
 * hashes (''), any other event whole. In typed arrays and tables of strings, which pass between
 * threads without an object per event. The head is taken out of the data's text as the writers lay
 * it out (writtenHeadOf), else where the event is folded (dataHeadOf), as readLogForFold takes it.
 */
export interface SegmentFoldEvents {
  count: number;
  positions: Float64Array;
  streamVersions: Float64Array;
  schemaVersions: Float64Array;
  /** Each event's stream and type, by their index in `strings`. */
  streams: Int32Array;
  types: Int32Array;
  /** The head's profile, by its index in `strings` (-1: no head taken, the data's text is in `data`), and version. */
  profiles: Int32Array;
  versions: Float64Array;
  strings: string[];
  /** The data's text of the events without a head taken, and the metadata's of those that are not current updates: by event index. */
  dataAt: number[];
  data: string[];
  metadataAt: number[];
  metadata: string[];
}

/** Collects the events of a segment in position order (SegmentFoldEvents). */
export const collectFoldEvents = () => {
  let capacity = 1024;
  let count = 0;
  const columns = () => ({
    positions: new Float64Array(capacity),
    streamVersions: new Float64Array(capacity),
    schemaVersions: new Float64Array(capacity),
    streams: new Int32Array(capacity),
    types: new Int32Array(capacity),
    profiles: new Int32Array(capacity),
    versions: new Float64Array(capacity),
  });
  let at = columns();
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) {
      id = strings.length;
      strings.push(text);
      ids.set(text, id);
    }
    return id;
  };
  const dataAt: number[] = [];
  const data: string[] = [];
  const metadataAt: number[] = [];
  const metadata: string[] = [];
  return {
    add(record: EventRecord): void {
      if (count === capacity) {
        const full = at;
        capacity *= 2;
        at = columns();
        for (const [name, column] of Object.entries(full)) at[name as keyof typeof at].set(column);
      }
      at.positions[count] = record.position;
      at.streamVersions[count] = record.stream_version;
      at.schemaVersions[count] = record.schema_version;
      at.streams[count] = idOf(record.stream_id);
      at.types[count] = idOf(record.type);
      const content = isCurrentContentEvent(record);
      // a head as the writers lay it out is taken here; any other is found where the event is folded (dataHeadOf)
      const head = content ? writtenHeadOf(record.data_json) : undefined;
      if (head) {
        at.profiles[count] = idOf(head.head_profile as string);
        at.versions[count] = head.head_version as number;
      } else {
        at.profiles[count] = -1;
        dataAt.push(count);
        data.push(record.data_json);
      }
      if (!(content && record.type === 'profile.updated')) {
        metadataAt.push(count);
        metadata.push(record.metadata_json);
      }
      count += 1;
    },
    result(): SegmentFoldEvents {
      const trimmed = Object.fromEntries(Object.entries(at).map(([name, column]) => [name, column.slice(0, count)])) as typeof at;
      return { count, ...trimmed, strings, dataAt, data, metadataAt, metadata };
    },
  };
};

/** The buffers of a SegmentFoldEvents, to move to another thread instead of copying them. */
export const foldEventsBuffers = (events: SegmentFoldEvents): ArrayBuffer[] =>
  [events.positions, events.streamVersions, events.schemaVersions, events.streams, events.types, events.profiles, events.versions].map(
    (column) => column.buffer as ArrayBuffer,
  );

/** Events `from` to `to` (exclusive) of a segment, as the fold takes them. */
export const foldEventsOf = (events: SegmentFoldEvents, from: number, to: number): StoredEvent[] => {
  const { strings } = events;
  const out: StoredEvent[] = [];
  let data = events.dataAt.findIndex((index) => index >= from);
  let metadata = events.metadataAt.findIndex((index) => index >= from);
  if (data === -1) data = events.dataAt.length;
  if (metadata === -1) metadata = events.metadataAt.length;
  for (let index = from; index < to; index += 1) {
    const dataJson = events.dataAt[data] === index ? events.data[data++] : null;
    const metadataJson = events.metadataAt[metadata] === index ? events.metadata[metadata++] : null;
    const row = {
      position: events.positions[index],
      stream_id: strings[events.streams[index]],
      stream_version: events.streamVersions[index],
      type: strings[events.types[index]],
      schema_version: events.schemaVersions[index],
      data_json: dataJson as string,
      metadata_json: metadataJson,
      prev_hash: '',
      hash: '',
    };
    const profile = events.profiles[index];
    const head: DataHead =
      profile !== -1
        ? { head_profile: strings[profile], head_version: events.versions[index] }
        : isCurrentContentEvent(row)
          ? dataHeadOf(dataJson as string)
          : { head_profile: null, head_version: null };
    out.push(contentEventOf(Object.assign(row, head), false));
  }
  return out;
};
