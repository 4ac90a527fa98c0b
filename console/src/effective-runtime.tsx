// What a runtime will run: the resolved runtime, the stack it was merged from, and for each field
// the profile of the stack that set it last.
import { useState } from 'preact/hooks';
import { enc, get, withQuery } from './api.js';
import { redactSecrets, SECRET_AREAS } from '../../src/domain/secrets.js';
import { ColumnHeads, ErrorNote } from './common.js';
import type { ProfileDocument, Resolved, Runtime } from './model.js';
import { profileHref } from './routes.js';
import { showValue } from './pointer.js';
import { useLoad } from './use-load.js';

interface Origin {
  field: string;
  value: unknown;
  from: { registry: string; slug: string } | undefined;
}

/** Top-level runtime fields, and each section of the step settings, with the last layer that sets them. */
const origins = (runtime: Runtime, layers: { registry: string; slug: string; runtime?: Runtime }[]): Origin[] => {
  const lastSetting = (has: (layer: Runtime) => boolean) => [...layers].reverse().find((layer) => layer.runtime !== undefined && has(layer.runtime));
  const rows: Origin[] = [];
  for (const [section, value] of Object.entries(runtime.step_settings_patch ?? {})) {
    rows.push({ field: `step settings › ${section}`, value, from: lastSetting((layer) => layer.step_settings_patch?.[section] !== undefined) });
  }
  for (const field of ['system_prompt', 'middlewares', 'tools'] as const) {
    if (runtime[field] === undefined) continue;
    rows.push({ field: field.replace('_', ' '), value: runtime[field], from: lastSetting((layer) => layer[field] !== undefined) });
  }
  return rows;
};

export const EffectiveRuntime = ({ doc, mayReveal }: { doc: ProfileDocument; mayReveal: boolean }) => {
  const [reveal, setReveal] = useState(false);
  const loaded = useLoad(async () => {
    const resolved = await get<Resolved>(withQuery(`/api/chat/resolve/${enc(doc.slug)}`, { registry: doc.registry }));
    const layers = await Promise.all(
      resolved.stack_lineage.map(async (layer) => ({
        registry: layer.registry_slug,
        slug: layer.profile_slug,
        runtime: (await get<ProfileDocument>(withQuery(`/api/chat/profiles/${enc(layer.profile_slug)}`, { registry: layer.registry_slug, version: layer.version }))).runtime,
      })),
    );
    return { resolved, layers };
  }, [doc.registry, doc.slug, doc.fingerprint]);
  if (loaded.error !== undefined) return <ErrorNote error={loaded.error} />;
  if (loaded.data === undefined) return <p>Resolving…</p>;
  const { resolved, layers } = loaded.data;
  // resolve gives the real secrets to runtime and admin tokens: the console shows them only when asked
  const runtime = reveal ? resolved.runtime : redactSecrets(resolved.runtime, SECRET_AREAS.runtime);
  return (
    <section aria-labelledby="effective-title">
      <h2 id="effective-title">Effective runtime</h2>
      <p>
        Stack lineage:{' '}
        {resolved.stack_lineage.map((layer, index) => (
          <span key={index}>
            {index > 0 ? ' → ' : ''}
            <a href={profileHref(layer.registry_slug, layer.profile_slug)}>
              {layer.registry_slug}/{layer.profile_slug} (version {layer.version})
            </a>
          </span>
        ))}
      </p>
      <p>
        Fingerprint: <code class="fingerprint">{resolved.fingerprint}</code>
      </p>
      {mayReveal && (
        <div class="field field-boolean">
          <input id="reveal-runtime" type="checkbox" checked={reveal} onChange={(event) => setReveal(event.currentTarget.checked)} />
          <label for="reveal-runtime">Show secrets of the effective runtime</label>
        </div>
      )}
      <table class="list">
        <caption class="sr-only">Fields of the effective runtime and where they come from</caption>
        <ColumnHeads names={['Field', 'Value', 'From']} />
        <tbody>
          {origins(runtime, layers).map((row) => (
            <tr key={row.field}>
              <th scope="row">{row.field}</th>
              <td>
                <code>{showValue(row.value)}</code>
              </td>
              <td>{row.from ? `${row.from.registry}/${row.from.slug}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};
