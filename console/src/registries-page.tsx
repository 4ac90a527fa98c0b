// Every registry the token may see, searchable.
import { useState } from 'preact/hooks';
import { get } from './api.js';
import { useApp } from './app-context.js';
import { NewRegistry } from './actions/new-registry.js';
import { ColumnHeads, ErrorNote, when } from './common.js';
import type { RegistrySummary } from './model.js';
import { registryHref } from './routes.js';
import { matches } from './search.js';
import { useLoad } from './use-load.js';

export const RegistriesPage = () => {
  const { lastChange } = useApp();
  const [query, setQuery] = useState('');
  const registries = useLoad(() => get<RegistrySummary[]>('/api/registries'), [lastChange?.position]);
  const shown = (registries.data ?? []).filter((registry) => matches(query, [registry.slug, registry.display_name, registry.description]));
  return (
    <>
      <h1>Registries</h1>
      <label for="registry-search">Search registries</label>
      <input id="registry-search" type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
      <NewRegistry />
      <ErrorNote error={registries.error} />
      <table class="list">
        <caption class="sr-only">Registries</caption>
        <ColumnHeads names={['Registry', 'Name', 'Profiles', 'Version', 'Updated']} />
        <tbody>
          {shown.map((registry) => (
            <tr key={registry.slug}>
              <td>
                <a href={registryHref(registry.slug)}>{registry.slug}</a>
              </td>
              <td>{registry.display_name ?? ''}</td>
              <td>{registry.profile_count}</td>
              <td>{registry.version}</td>
              <td>{when(registry.updated_at_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
};
