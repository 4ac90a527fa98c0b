// A profile's timeline: who changed what and when, the diff of any version against the previous
// or any other, the profile as of a version or time, and restore. The selected version (`v`), the
// version it is compared with (`from`) and the as-of point (`at_version` or `as_of`) live in the
// address: a reload or Back and Forward show them again.
import { api, ProblemError } from './client.js';
import { useApp } from './app-context.js';
import { ColumnHeads, ErrorNote, when } from './common.js';
import { DiffTable } from './diff-table.js';
import { EventName } from './event-name.js';
import { isAdmin, type HistoryEntry, type ProfileDocument } from './model.js';
import { fieldLabel } from './pointer.js';
import { RestorePanel } from './restore-panel.js';
import { numberParam, pushParams } from './routes.js';
import { AsOf } from './as-of.js';
import { useLoad } from './use-load.js';

/** The profile at a version, or undefined where it did not exist (before its creation, deleted). */
const docAt = async (doc: ProfileDocument, version: number): Promise<ProfileDocument | undefined> => {
  if (version < 1) return undefined;
  try {
    return (await api.getProfile(doc.slug, { registry: doc.registry, version })) as ProfileDocument;
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) return undefined;
    throw error;
  }
};

/** Every version of the profile, newest first, read page by page to its first (`next_before_version` null). */
const allVersions = async (doc: ProfileDocument): Promise<HistoryEntry[]> => {
  const versions: HistoryEntry[] = [];
  let beforeVersion: number | undefined;
  for (;;) {
    const page = await api.profileHistory(doc.slug, { registry: doc.registry, limit: 1000, beforeVersion });
    versions.push(...page.versions);
    if (page.next_before_version === null || page.versions.length === 0) return versions;
    beforeVersion = page.next_before_version;
  }
};

const VersionDiff = ({ doc, entry, against, versions }: { doc: ProfileDocument; entry: HistoryEntry; against: number; versions: number[] }) => {
  const diff = useLoad(async () => {
    const before = await docAt(doc, against);
    // the caption names what the rows show: while another comparison loads, the last one stays whole
    if (against === entry.version - 1) return { changes: entry.changes, before, from: against };
    const { changes } = await api.diff(doc.slug, against, entry.version, { registry: doc.registry });
    return { changes, before, from: against };
  }, [entry.version, against]);
  return (
    <section class="version-diff" aria-labelledby="diff-title">
      <h2 id="diff-title">Changes of version {entry.version}</h2>
      <label for="compare-with">Compare with</label>
      <select id="compare-with" value={String(against)} onChange={(event) => pushParams({ from: event.currentTarget.value })}>
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

export const ProfileHistory = ({ doc, params, onRestored }: { doc: ProfileDocument; params: URLSearchParams; onRestored: () => void }) => {
  const { session } = useApp();
  const history = useLoad(() => allVersions(doc), [doc.registry, doc.slug, doc.metadata.version]);
  const selected = numberParam(params, 'v');
  const entries = history.data ?? [];
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
              <td>
                <EventName type={each.type} cause={each.cause} />
              </td>
              <td>{each.actor}</td>
              <td>{when(each.at_ms)}</td>
              <td>{[...new Set(each.changes.map((change) => fieldLabel(change.path)))].join('; ')}</td>
              <td>
                <button type="button" aria-pressed={each.version === selected} onClick={() => pushParams({ v: each.version, from: undefined })}>
                  Show changes of version {each.version}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entry && (
        <VersionDiff doc={doc} entry={entry} against={numberParam(params, 'from') ?? entry.version - 1} versions={entries.map((each) => each.version)} />
      )}
      <AsOf doc={doc} params={params} />
      {isAdmin(session) && (
        <RestorePanel
          what={`profile ${doc.slug}`}
          idPrefix="profile"
          latest={doc.metadata.version}
          before={doc}
          preview={async (version) => (await api.restoreProfile(doc.slug, { to_version: version, dry_run: true }, { registry: doc.registry })).changes}
          apply={async (version) => {
            await api.restoreProfile(doc.slug, { to_version: version, expected_version: doc.metadata.version }, { registry: doc.registry });
            onRestored();
          }}
        />
      )}
    </>
  );
};
