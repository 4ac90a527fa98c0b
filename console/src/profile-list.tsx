// A registry's profiles as the server pages them (limit, cursor, q): rows drawn only where the
// list is scrolled to (a virtualised table), more pages fetched near the end, and feed frames
// applied to the one row they name instead of fetching the list again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ProblemError } from './client.js';
import { useApp } from './app-context.js';
import { ColumnHeads, ErrorNote } from './common.js';
import type { ProfileDocument } from './model.js';
import { profileHref } from './routes.js';

export interface ProfileRow {
  registry: string;
  slug: string;
  display_name?: string;
  description?: string;
  is_default?: boolean;
  version: number;
}

interface Page {
  items: ProfileRow[];
  next_cursor: string | null;
}

const PAGE = 200;
/** Each row's height in pixels (style.css keeps rows to one line of this height). */
export const ROW_HEIGHT = 40;
const OVERSCAN = 10;

const pageOf = async (registry: string, q: string, cursor?: string): Promise<Page> =>
  (await api.listProfilesPage({ registry, q: q.trim() === '' ? undefined : q.trim(), limit: PAGE, cursor })) as Page;

const rowOf = (doc: ProfileDocument): ProfileRow => ({
  registry: doc.registry,
  slug: doc.slug,
  display_name: doc.display_name,
  description: doc.description,
  is_default: doc.is_default,
  version: doc.metadata.version,
});

export const ProfileList = ({ registry, query }: { registry: string; query: string }) => {
  const { lastChange } = useApp();
  const [rows, setRows] = useState<ProfileRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState(false);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  const loading = useRef(false);
  const box = useRef<HTMLDivElement>(null);

  // a new search (or registry) starts from the first page
  useEffect(() => {
    let current = true;
    setError(undefined);
    setDone(false);
    pageOf(registry, query).then(
      (page) => {
        if (!current) return;
        setRows(page.items);
        setNext(page.next_cursor);
        setDone(true);
        box.current?.scrollTo({ top: 0 });
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [registry, query]);

  // a change of one profile of this registry: read that profile alone and put it in its row
  useEffect(() => {
    const change = lastChange;
    if (change === null || change.registry !== registry || change.profile === undefined) return;
    const slug = change.profile;
    api.getProfile(slug, { registry }).then(
      (answer) => {
        const doc = answer as ProfileDocument;
        setRows((now) => {
          const at = now.findIndex((row) => row.slug === slug);
          if (at >= 0) return now.map((row, index) => (index === at ? rowOf(doc) : row));
          // a new profile: in its place when the loaded rows reach that far and it matches the search
          const q = query.trim().toLowerCase();
          const text = [doc.slug, doc.display_name, doc.description, ...(doc.metadata.tags ?? [])].join('\n').toLowerCase();
          if (q !== '' && !text.includes(q)) return now;
          const after = now.findIndex((row) => row.slug > slug);
          if (after < 0) return next === null ? [...now, rowOf(doc)] : now;
          return [...now.slice(0, after), rowOf(doc), ...now.slice(after)];
        });
      },
      (failure: unknown) => {
        if (failure instanceof ProblemError && failure.status === 404) setRows((now) => now.filter((row) => row.slug !== slug));
      },
    );
  }, [lastChange]);

  const more = () => {
    if (next === null || loading.current) return;
    loading.current = true;
    pageOf(registry, query, next)
      .then((page) => {
        setRows((now) => [...now, ...page.items]);
        setNext(page.next_cursor);
      }, setError)
      .finally(() => {
        loading.current = false;
      });
  };

  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  useEffect(() => {
    if (last >= rows.length - OVERSCAN) more();
  }, [last, rows.length, next]);

  return (
    <>
      <ErrorNote error={error} />
      <p class="muted" role="status">
        {done ? `${rows.length}${next === null ? '' : '+'} profile${rows.length === 1 ? '' : 's'}${query.trim() === '' ? '' : ` matching “${query.trim()}”`}` : 'Loading…'}
      </p>
      <div
        class="scroller"
        ref={box}
        tabIndex={0}
        aria-label={`Profiles of ${registry}, scrollable`}
        onScroll={(event) => {
          setTop(event.currentTarget.scrollTop);
          setHeight(event.currentTarget.clientHeight);
        }}
      >
        <table class="list virtual" aria-rowcount={rows.length + 1}>
          <caption class="sr-only">Profiles of {registry}</caption>
          <ColumnHeads names={['Profile', 'Name', 'Description', 'Version']} />
          <tbody>
            {first > 0 && <tr aria-hidden="true" style={{ height: `${first * ROW_HEIGHT}px` }} />}
            {rows.slice(first, last).map((row, index) => (
              <tr key={row.slug} aria-rowindex={first + index + 2}>
                <td>
                  <a href={profileHref(registry, row.slug)}>{row.slug}</a>
                  {row.is_default ? <span class="badge">default</span> : null}
                </td>
                <td>{row.display_name ?? ''}</td>
                <td>{row.description ?? ''}</td>
                <td>{row.version}</td>
              </tr>
            ))}
            {last < rows.length && <tr aria-hidden="true" style={{ height: `${(rows.length - last) * ROW_HEIGHT}px` }} />}
          </tbody>
        </table>
      </div>
    </>
  );
};
