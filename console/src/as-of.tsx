// A profile as it was at a version or a time. The point viewed lives in the address (`at_version`
// or `as_of`, RFC 3339 UTC), so that a reload or Back shows it again; the time input takes UTC, as
// every time the console shows.
import { useEffect, useState } from 'preact/hooks';
import { api } from './client.js';
import { ErrorNote, Json } from './common.js';
import type { ProfileDocument } from './model.js';
import { numberParam, pushParams } from './routes.js';
import { useLoad } from './use-load.js';

/** `2026-12-06T20:15:53.000Z` as a datetime-local input shows it (UTC wall clock, to the second). */
const inputTimeOf = (iso: string): string => (Number.isNaN(Date.parse(iso)) ? '' : new Date(iso).toISOString().slice(0, 19));

/** The input's wall-clock time read as UTC. */
const isoOf = (time: string): string => new Date(`${time.length === 16 ? `${time}:00` : time}Z`).toISOString();

export const AsOf = ({ doc, params }: { doc: ProfileDocument; params: URLSearchParams }) => {
  const atVersion = numberParam(params, 'at_version');
  const asOf = atVersion === undefined ? (params.get('as_of') ?? undefined) : undefined;
  const [version, setVersion] = useState('');
  const [time, setTime] = useState('');
  // the inputs follow the address (a reload, Back and Forward)
  useEffect(() => {
    setVersion(atVersion === undefined ? '' : String(atVersion));
    setTime(asOf === undefined ? '' : inputTimeOf(asOf));
  }, [atVersion, asOf]);
  const shown = useLoad(async () => {
    if (atVersion !== undefined) return { label: `version ${atVersion}`, doc: (await api.getProfile(doc.slug, { registry: doc.registry, version: atVersion })) as ProfileDocument };
    if (asOf !== undefined) return { label: asOf, doc: (await api.getProfile(doc.slug, { registry: doc.registry, asOf })) as ProfileDocument };
    return null;
  }, [doc.registry, doc.slug, atVersion, asOf]);
  return (
    <section aria-labelledby="as-of-title">
      <h2 id="as-of-title">View as of</h2>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (version !== '') pushParams({ at_version: version, as_of: undefined });
          else if (time !== '') pushParams({ as_of: isoOf(time), at_version: undefined });
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
      <ErrorNote error={shown.error} />
      {shown.data && shown.error === undefined && (
        <>
          <p>
            As of {shown.data.label}: version {shown.data.doc.metadata.version}.
          </p>
          <Json value={shown.data.doc} label={`Profile as of ${shown.data.label}`} />
        </>
      )}
    </section>
  );
};
