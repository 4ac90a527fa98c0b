// What a runtime will run: the resolved runtime, the stack it was merged from, and for each value
// the layer of the stack that set it (resolve's stack trace).
import { useState } from 'preact/hooks';
import { api } from './client.js';
import { ColumnHeads, ErrorNote } from './common.js';
import type { ProfileDocument } from './model.js';
import { profileHref } from './routes.js';
import { showValue } from './pointer.js';
import { valueOrigins } from './runtime-origins.js';
import { useLoad } from './use-load.js';

export const EffectiveRuntime = ({ doc, mayReveal }: { doc: ProfileDocument; mayReveal: boolean }) => {
  const [reveal, setReveal] = useState(false);
  const loaded = useLoad(() => api.resolve(doc.slug, { registry: doc.registry }), [doc.registry, doc.slug, doc.fingerprint]);
  if (loaded.error !== undefined) return <ErrorNote error={loaded.error} />;
  if (loaded.data === undefined) return <p>Resolving…</p>;
  const resolved = loaded.data;
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
          {/* resolve gives the real secrets to runtime and admin tokens: the console shows them only when asked */}
          {valueOrigins(resolved.stack_trace, reveal).map((row) => (
            <tr key={row.path} data-path={row.path}>
              <th scope="row">{row.label}</th>
              <td>
                <code>{showValue(row.value)}</code>
              </td>
              <td class="origin">
                {row.entry.source === 'request' ? (
                  'the request'
                ) : (
                  <a href={profileHref(row.entry.registry_slug, row.entry.profile_slug)}>
                    {row.entry.registry_slug}/{row.entry.profile_slug} (version {row.entry.profile_version})
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};
