// A profile's timeline: who changed what and when, the diff of any version against the previous
// or any other, the profile as of a version or time, and restore.
import { useState } from 'preact/hooks';
import { ApiError, call, enc, get, withQuery } from './api.js';
import { useApp } from './app-context.js';
import { ColumnHeads, ErrorNote, Json, when } from './common.js';
import { DiffTable } from './diff-table.js';
import { eventLabel, isAdmin, type HistoryEntry, type PatchOp, type ProfileDocument } from './model.js';
import { fieldLabel } from './pointer.js';
import { RestorePanel } from './restore-panel.js';
import { useLoad } from './use-load.js';

interface History {
  versions: HistoryEntry[];
}

/** The profile at a version, or undefined where it did not exist (before its creation, deleted). */
const docAt = async (path: string, registry: string, version: number): Promise<ProfileDocument | undefined> => {
  if (version < 1) return undefined;
  try {
    return await get<ProfileDocument>(withQuery(path, { registry, version }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
};

const VersionDiff = ({ path, registry, entry, versions }: { path: string; registry: string; entry: HistoryEntry; versions: number[] }) => {
  const [against, setAgainst] = useState<number>(entry.version - 1);
  const diff = useLoad(async () => {
    const before = await docAt(path, registry, against);
    // the caption names what the rows show: while another comparison loads, the last one stays whole
    if (against === entry.version - 1) return { changes: entry.changes, before, from: against };
    const { changes } = await get<{ changes: PatchOp[] }>(withQuery(`${path}/diff`, { registry, from: against, to: entry.version }));
    return { changes, before, from: against };
  }, [entry.version, against]);
  return (
    <section class="version-diff" aria-labelledby="diff-title">
      <h2 id="diff-title">Changes of version {entry.version}</h2>
      <label for="compare-with">Compare with</label>
      <select id="compare-with" value={String(against)} onChange={(event) => setAgainst(Number(event.currentTarget.value))}>
        {versions
          .filter((version) => version !== entry.version)
          .map((version) => (
            <option key={version} value={String(version)}>
              {version === entry.version - 1 ? `version ${version} (previous)` : `version ${version}`}
            </option>
          ))}
        {entry.version === 1 && <option value="0">nothing (creation)</option>}
      </select>
      <ErrorNote error={diff.error} />
      {diff.data && <DiffTable changes={diff.data.changes} before={diff.data.before} caption={`From version ${diff.data.from} to version ${entry.version}`} />}
    </section>
  );
};

const AsOf = ({ path, registry }: { path: string; registry: string }) => {
  const [version, setVersion] = useState('');
  const [time, setTime] = useState('');
  const [shown, setShown] = useState<{ label: string; doc: ProfileDocument } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const view = async (query: Record<string, string>, label: string) => {
    setError(undefined);
    try {
      setShown({ label, doc: await get<ProfileDocument>(withQuery(path, { registry, ...query })) });
    } catch (failure) {
      setShown(null);
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="as-of-title">
      <h2 id="as-of-title">View as of</h2>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (version !== '') void view({ version }, `version ${version}`);
          else if (time !== '') {
            // the input's wall-clock time is read as UTC, like every time the console shows
            const at = new Date(`${time.length === 16 ? `${time}:00` : time}Z`).toISOString();
            void view({ as_of: at }, at);
          }
        }}
      >
        <div class="field">
          <label for="as-of-version">Version</label>
          <input id="as-of-version" type="number" min={1} value={version} onInput={(event) => setVersion(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="as-of-time">or time (UTC)</label>
          <input id="as-of-time" type="datetime-local" step={1} value={time} onInput={(event) => setTime(event.currentTarget.value)} />
        </div>
        <button type="submit">View</button>
      </form>
      <ErrorNote error={error} />
      {shown && (
        <>
          <p>
            As of {shown.label}: version {shown.doc.metadata.version}.
          </p>
          <Json value={shown.doc} label={`Profile as of ${shown.label}`} />
        </>
      )}
    </section>
  );
};

export const ProfileHistory = ({ doc, onRestored }: { doc: ProfileDocument; onRestored: () => void }) => {
  const { session } = useApp();
  const path = `/api/chat/profiles/${enc(doc.slug)}`;
  const history = useLoad(() => get<History>(withQuery(`${path}/history`, { registry: doc.registry, limit: 1000 })), [doc.registry, doc.slug, doc.metadata.version]);
  const [selected, setSelected] = useState<number | null>(null);
  const entries = history.data?.versions ?? [];
  const entry = entries.find((each) => each.version === selected);
  return (
    <>
      <ErrorNote error={history.error} />
      <table class="list timeline">
        <caption>Timeline of profile {doc.slug}</caption>
        <ColumnHeads names={['Version', 'Event', 'Actor', 'Time', 'Fields changed', <span class="sr-only">Actions</span>]} />
        <tbody>
          {entries.map((each) => (
            <tr key={each.version} class={each.version === selected ? 'selected' : undefined}>
              <td>{each.version}</td>
              <td>{eventLabel(each.type, each.cause)}</td>
              <td>{each.actor}</td>
              <td>{when(each.at_ms)}</td>
              <td>{[...new Set(each.changes.map((change) => fieldLabel(change.path)))].join('; ')}</td>
              <td>
                <button type="button" aria-pressed={each.version === selected} onClick={() => setSelected(each.version)}>
                  Show changes of version {each.version}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entry && <VersionDiff path={path} registry={doc.registry} entry={entry} versions={entries.map((each) => each.version)} />}
      <AsOf path={path} registry={doc.registry} />
      {isAdmin(session) && (
        <RestorePanel
          what={`profile ${doc.slug}`}
          idPrefix="profile"
          latest={doc.metadata.version}
          before={doc}
          preview={async (version) =>
            (await call<{ changes: PatchOp[] }>(`${path}/restore`, { method: 'POST', body: { registry: doc.registry, to_version: version, dry_run: true } })).data.changes
          }
          apply={async (version) => {
            await call(`${path}/restore`, { method: 'POST', body: { registry: doc.registry, to_version: version, expected_version: doc.metadata.version } });
            onRestored();
          }}
        />
      )}
    </>
  );
};
