// The schema browser: the middleware and extension schemas profiles are checked against, and
// each schema's versions (who registered or removed it, when, and what it said).
import { useState } from 'preact/hooks';
import { enc, get } from './api.js';
import { ColumnHeads, ErrorNote, Json, when } from './common.js';
import { schemaHref } from './routes.js';
import { useLoad } from './use-load.js';

export type SchemaKind = 'middlewares' | 'extensions';

interface MiddlewareSchema {
  name: string;
  version: number;
  display_name?: string;
  description?: string;
}
interface ExtensionSchema {
  key: string;
}
interface SchemaVersion {
  version?: number;
  type: string;
  actor: string;
  source?: string;
  at_ms: number;
  document?: unknown;
  forced?: boolean;
}

export const SchemasPage = () => {
  const middlewares = useLoad(() => get<MiddlewareSchema[]>('/api/chat/schemas/middlewares'), []);
  const extensions = useLoad(() => get<ExtensionSchema[]>('/api/chat/schemas/extensions'), []);
  return (
    <>
      <p class="crumbs">
        <a href="#/">Registries</a> / schemas
      </p>
      <h1>Schemas</h1>
      <p class="hint">Profile writes check each middleware's config and each extension against these schemas.</p>
      <h2 id="middleware-schemas">Middlewares</h2>
      <ErrorNote error={middlewares.error} />
      {middlewares.data?.length === 0 && <p>No middleware schema yet: any middleware name is accepted.</p>}
      {(middlewares.data?.length ?? 0) > 0 && (
        <table class="list" aria-labelledby="middleware-schemas">
          <ColumnHeads names={['Name', 'Display name', 'Version', 'Description']} />
          <tbody>
            {middlewares.data?.map((schema) => (
              <tr key={schema.name}>
                <td>
                  <a href={schemaHref('middlewares', schema.name)}>{schema.name}</a>
                </td>
                <td>{schema.display_name ?? ''}</td>
                <td>{schema.version}</td>
                <td>{schema.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="extension-schemas">Extensions</h2>
      <ErrorNote error={extensions.error} />
      {extensions.data?.length === 0 && <p>No extension schema yet.</p>}
      {(extensions.data?.length ?? 0) > 0 && (
        <ul>
          {extensions.data?.map((schema) => (
            <li key={schema.key}>
              <a href={schemaHref('extensions', schema.key)}>{schema.key}</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
};

const KIND_NAME: Record<SchemaKind, string> = { middlewares: 'middleware', extensions: 'extension' };

export const SchemaPage = ({ kind, name }: { kind: SchemaKind; name: string }) => {
  const history = useLoad(() => get<{ versions: SchemaVersion[] }>(`/api/chat/schemas/${kind}/${enc(name)}/history`), [kind, name]);
  const versions = history.data?.versions ?? [];
  const [picked, setPicked] = useState<number | undefined>(undefined);
  const shown = versions[picked ?? 0];
  return (
    <>
      <p class="crumbs">
        <a href="#/">Registries</a> / <a href="#/schemas">schemas</a> / {name}
      </p>
      <h1>
        Schema of {KIND_NAME[kind]} {name}
      </h1>
      <ErrorNote error={history.error} />
      {versions.length > 0 && (
        <>
          <table class="timeline">
            <caption>Versions of {name}, newest first</caption>
            <ColumnHeads names={['Version', 'Change', 'By', 'At', '']} />
            <tbody>
              {versions.map((version, index) => (
                <tr key={index} class={index === (picked ?? 0) ? 'selected' : undefined}>
                  <td>{version.version ?? '—'}</td>
                  <td>
                    {version.type === 'schema.deleted' ? 'removed' : 'registered'}
                    {version.forced ? ' (forced)' : ''}
                  </td>
                  <td>{version.actor}</td>
                  <td>{when(version.at_ms)}</td>
                  <td>
                    {version.document !== undefined && (
                      <button type="button" aria-pressed={index === (picked ?? 0)} onClick={() => setPicked(index)}>
                        Show schema of entry {versions.length - index}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown?.document !== undefined ? (
            <Json value={shown.document} label={`Schema of ${name}, entry ${versions.length - (picked ?? 0)}`} />
          ) : (
            <p>This schema was removed.</p>
          )}
        </>
      )}
    </>
  );
};
