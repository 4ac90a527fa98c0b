// A registry's timeline (every event, newest first) and the registry-wide restore.
import { api } from './client.js';
import { useApp } from './app-context.js';
import { ColumnHeads, ErrorNote, when } from './common.js';
import { EventName } from './event-name.js';
import { isAdmin, type RegistryDocument, type RegistryEvent } from './model.js';
import { RestorePanel } from './restore-panel.js';
import { profileHref } from './routes.js';
import { useLoad } from './use-load.js';

const PAGE = 1000;

/**
 * Every event of the registry, read page by page to the last one (the server says `at_end`),
 * without the events' `data`: the timeline never shows it, and it is most of the bytes.
 */
const allEvents = async (registry: string): Promise<RegistryEvent[]> => {
  const events: RegistryEvent[] = [];
  let after = 0;
  for (;;) {
    const answer = await api.registryEvents(registry, { after, limit: PAGE, data: false });
    events.push(...(answer.events as RegistryEvent[]));
    if (answer.at_end ?? answer.events.length < PAGE) return events.reverse();
    after = answer.next_after;
  }
};

export const RegistryHistory = ({ registry, onRestored }: { registry: RegistryDocument; onRestored: () => void }) => {
  const { session } = useApp();
  const events = useLoad(() => allEvents(registry.slug), [registry.slug, registry.metadata.version]);
  return (
    <>
      {isAdmin(session) && (
        <RestorePanel
          what={`registry ${registry.slug}`}
          idPrefix="registry"
          latest={registry.metadata.version}
          before={registry}
          preview={async (version) => (await api.restoreRegistry(registry.slug, { to_version: version, dry_run: true })).changes}
          apply={async (version) => {
            await api.restoreRegistry(registry.slug, { to_version: version, expected_version: registry.metadata.version });
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
              <td>
                <EventName type={event.type} cause={event.cause} />
              </td>
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
