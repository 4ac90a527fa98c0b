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
  createHash('sha256')
    .update(
      [
        prevHash,
        event.stream_id,
        String(event.stream_version),
        event.type,
        String(event.schema_version),
        event.data_json,
        event.metadata_json,
      ].join('\n'),
    )
    .digest('hex');
