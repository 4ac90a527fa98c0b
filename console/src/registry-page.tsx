// One registry: its profiles (searchable by slug, name and tag) and its history.
import { useState } from 'preact/hooks';
import { enc, get } from './api.js';
import { useApp } from './app-context.js';
import { ColumnHeads, ErrorNote, Tabs } from './common.js';
import { canEdit, type RegistryDocument } from './model.js';
import { RegistryHistory } from './registry-history.js';
import { newProfileHref, profileHref, registryHref } from './routes.js';
import { matches } from './search.js';
import { useLoad } from './use-load.js';

const Profiles = ({ registry }: { registry: RegistryDocument }) => {
  const { session } = useApp();
  const [query, setQuery] = useState('');
  const profiles = Object.values(registry.profiles)
    .filter((profile) => matches(query, [profile.slug, profile.display_name, ...(profile.metadata.tags ?? [])]))
    .sort((a, b) => a.slug.localeCompare(b.slug));
  return (
    <>
      <div class="toolbar">
        <label for="profile-search">Search profiles by slug, name or tag</label>
        <input id="profile-search" type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        {canEdit(session) && (
          <a class="button" href={newProfileHref(registry.slug)}>
            New profile
          </a>
        )}
      </div>
      <table class="list">
        <caption class="sr-only">Profiles of {registry.slug}</caption>
        <ColumnHeads names={['Profile', 'Name', 'Tags', 'Version']} />
        <tbody>
          {profiles.map((profile) => (
            <tr key={profile.slug}>
              <td>
                <a href={profileHref(registry.slug, profile.slug)}>{profile.slug}</a>
                {profile.is_default || registry.default_profile_slug === profile.slug ? <span class="badge">default</span> : null}
              </td>
              <td>{profile.display_name ?? ''}</td>
              <td>{(profile.metadata.tags ?? []).join(', ')}</td>
              <td>{profile.metadata.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
};

export const RegistryPage = ({ registry, tab }: { registry: string; tab: string }) => {
  const { lastChange } = useApp();
  const relevant = lastChange?.registry === registry ? lastChange.position : undefined;
  const loaded = useLoad(() => get<RegistryDocument>(`/api/registries/${enc(registry)}`), [registry, relevant]);
  return (
    <>
      <p class="crumbs">
        <a href="#/">Registries</a> / {registry}
      </p>
      <h1>
        Registry {registry}
        {loaded.data ? <span class="version"> version {loaded.data.metadata.version}</span> : null}
      </h1>
      <Tabs
        tabs={[
          ['profiles', 'Profiles'],
          ['history', 'History'],
        ]}
        current={tab}
        hrefOf={(id) => registryHref(registry, id)}
      />
      <ErrorNote error={loaded.error} />
      {loaded.data && (tab === 'history' ? <RegistryHistory registry={loaded.data} onRestored={loaded.reload} /> : <Profiles registry={loaded.data} />)}
    </>
  );
};
