import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data_json: string;
  metadata_json: string;
}

/** SHA-256 over the previous hash and the stored bytes of the event: any change to a stored byte shows. */
export const eventHash = (prevHash: string, event: HashedFields): string =>
  // the fields joined by newlines, fed piece by piece (the same digest, without copying the event's bytes)
  createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(event.stream_id)
    .update('\n')
    .update(String(event.stream_version))
    .update('\n')
    .update(event.type)
    .update('\n')
    .update(String(event.schema_version))
    .update('\n')
    .update(event.data_json)
    .update('\n')
    .update(event.metadata_json)
    .digest('hex');
