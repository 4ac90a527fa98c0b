/** Raised by the append when the stream moved on since the state the events were decided on. */
export class StreamVersionConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`stream "${streamId}" version conflict: expected=${expectedVersion} actual=${actualVersion}`);
    this.name = 'StreamVersionConflict';
  }
}
