// One registry: its profiles (searched and paged by the server) and its history.
import { useEffect, useState } from 'preact/hooks';
import { api, ProblemError } from './client.js';
import { useApp } from './app-context.js';
import { ErrorNote, Tabs } from './common.js';
import { canEdit, type RegistryDocument } from './model.js';
import { concerns, useLastPosition } from './live-feed.js';
import { ProfileList } from './profile-list.js';
import { RegistryHistory } from './registry-history.js';
import { newProfileHref, registryHref, replaceParams } from './routes.js';
import { useLoad } from './use-load.js';

const Profiles = ({ registry, initialQuery }: { registry: string; initialQuery: string }) => {
  const { session } = useApp();
  const [typed, setTyped] = useState(initialQuery);
  const [query, setQuery] = useState(initialQuery);
  // the server searches: one request once typing pauses, and the search goes into the address
  useEffect(() => {
    const timer = setTimeout(() => {
      setQuery(typed);
      replaceParams({ q: typed.trim() });
    }, 120);
    return () => clearTimeout(timer);
  }, [typed]);
  return (
    <>
      <div class="toolbar">
        <label for="profile-search">Search profiles by slug, name, tag, model or description</label>
        <input id="profile-search" type="search" value={typed} onInput={(event) => setTyped(event.currentTarget.value)} />
        {canEdit(session) && (
          <a class="button" href={newProfileHref(registry)}>
            New profile
          </a>
        )}
      </div>
      <ProfileList registry={registry} query={query} />
    </>
  );
};

const FullHistory = ({ registry }: { registry: string }) => {
  const { lastChange } = useApp();
  // only a change made here adds to this registry's history
  const relevant = useLastPosition(lastChange?.registry === registry ? lastChange.position : undefined);
  const loaded = useLoad(async () => (await api.getRegistry(registry)) as RegistryDocument, [registry, relevant]);
  return (
    <>
      <ErrorNote error={loaded.error} />
      {loaded.data && <RegistryHistory registry={loaded.data} onRestored={loaded.reload} />}
    </>
  );
};

export const RegistryPage = ({ registry, tab, params }: { registry: string; tab: string; params: URLSearchParams }) => {
  const { lastChange } = useApp();
  const relevant = useLastPosition(lastChange !== null && concerns(lastChange, registry) ? lastChange.position : undefined);
  // the heading needs the registry's summary, not its (possibly large) document
  const loaded = useLoad(async () => {
    const found = (await api.listRegistries()).find((each) => each.slug === registry);
    if (found === undefined) throw new ProblemError(404, { detail: 'registry not found' });
    return found;
  }, [registry, relevant]);
  return (
    <>
      <p class="crumbs">
        <a href="#/">Registries</a> / {registry}
      </p>
      <h1>
        Registry {registry}
        {loaded.data ? <span class="version"> version {loaded.data.version}</span> : null}
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
      {tab === 'history' ? <FullHistory registry={registry} /> : <Profiles key={registry} registry={registry} initialQuery={params.get('q') ?? ''} />}
    </>
  );
};
