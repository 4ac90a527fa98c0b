// An event as a history row names it: a restore or an import says so (the event's `cause`) rather
// than reading as one more edit.
import type { EventCause } from './model.js';
import { when } from './common.js';

/** `Restore of version 2`, `Restore as of 2026-12-06 20:15:53 UTC`, `Import of version 7`. */
export const causeText = (cause: EventCause): string => {
  if (cause.type === 'import') return `Import${cause.source_version === undefined ? '' : ` of version ${cause.source_version}`}`;
  return cause.as_of_ms === undefined ? `Restore of version ${cause.to_version}` : `Restore as of ${when(cause.as_of_ms)} (version ${cause.to_version})`;
};

export const EventName = ({ type, cause }: { type: string; cause?: EventCause }) =>
  cause === undefined ? (
    <>{type}</>
  ) : (
    <span class={`cause cause-${cause.type}`}>
      <span class="badge">{cause.type === 'restore' ? 'restore' : 'import'}</span> {causeText(cause)} <span class="muted">({type})</span>
    </span>
  );
