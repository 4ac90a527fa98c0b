// A registry's timeline (every event, newest first) and the registry-wide restore.
import { call, enc, get, withQuery } from './api.js';
import { useApp } from './app-context.js';
import { ColumnHeads, ErrorNote, when } from './common.js';
import { eventLabel, isAdmin, type PatchOp, type RegistryDocument, type RegistryEvent } from './model.js';
import { RestorePanel } from './restore-panel.js';
import { profileHref } from './routes.js';
import { useLoad } from './use-load.js';

const PAGE = 1000;

/** Every event of the registry, read page by page to the last one (the server says `at_end`). */
const allEvents = async (registry: string): Promise<RegistryEvent[]> => {
  const events: RegistryEvent[] = [];
  let after = 0;
  for (;;) {
    const answer: { events: RegistryEvent[]; next_after: number; at_end?: boolean } = await get(
      withQuery(`/api/registries/${enc(registry)}/events`, { after, limit: PAGE }),
    );
    events.push(...answer.events);
    if (answer.at_end ?? answer.events.length < PAGE) return events.reverse();
    after = answer.next_after;
  }
};

export const RegistryHistory = ({ registry, onRestored }: { registry: RegistryDocument; onRestored: () => void }) => {
  const { session } = useApp();
  const events = useLoad(() => allEvents(registry.slug), [registry.slug, registry.metadata.version]);
  const path = `/api/registries/${enc(registry.slug)}/restore`;
  return (
    <>
      {isAdmin(session) && (
        <RestorePanel
          what={`registry ${registry.slug}`}
          idPrefix="registry"
          latest={registry.metadata.version}
          before={registry}
          preview={async (version) => (await call<{ changes: PatchOp[] }>(path, { method: 'POST', body: { to_version: version, dry_run: true } })).data.changes}
          apply={async (version) => {
            await call(path, { method: 'POST', body: { to_version: version, expected_version: registry.metadata.version } });
            onRestored();
          }}
        />
      )}
      <ErrorNote error={events.error} />
      <table class="list timeline">
        <caption>Timeline of registry {registry.slug}</caption>
        <ColumnHeads names={['Version', 'Event', 'Profile', 'Actor', 'Time']} />
        <tbody>
          {(events.data ?? []).map((event) => (
            <tr key={event.position}>
              <td>{event.version}</td>
              <td>{eventLabel(event.type, event.cause)}</td>
              <td>{event.profile ? <a href={profileHref(registry.slug, event.profile, 'history')}>{event.profile}</a> : ''}</td>
              <td>{event.actor}</td>
              <td>{when(event.at_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
};
