// The admin console: log in with a token, then registries, profiles, edits, history and restores.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AppContext } from './app-context.js';
import { ErrorNote } from './common.js';
import { followChanges, type FeedState } from './live-feed.js';
import type { FeedChange, Session } from './model.js';
import { mayLeave } from './leave-guard.js';
import { NewProfilePage } from './new-profile-page.js';
import { ProfilePage } from './profile-page.js';
import { RegistriesPage } from './registries-page.js';
import { RegistryPage } from './registry-page.js';
import { parseRoute, type Route } from './routes.js';
import { SchemaPage, SchemasPage } from './schemas-page.js';
import { logIn, logOut, storedToken } from './session.js';

const Login = ({ onSession }: { onSession: (session: Session) => void }) => {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      onSession(await logIn(token.trim()));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <main class="login">
      <h1>profile-registry console</h1>
      <form onSubmit={submit}>
        <label for="token">Access token</label>
        <input id="token" type="password" autoComplete="off" value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        <p class="hint">A bearer token from the registry's tokens file (`profile-registry token create`). It is kept in this tab only.</p>
        <button type="submit">Log in</button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
};

const useHash = (): string => {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    let shown = location.href;
    const changed = () => {
      if (!mayLeave()) {
        // stay: put the address back without another hashchange
        history.replaceState(history.state, '', shown);
        return;
      }
      shown = location.href;
      setHash(location.hash);
    };
    addEventListener('hashchange', changed);
    // an effect runs after the first paint: an address changed before it listened is taken now
    if (location.hash !== hash) changed();
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
};

/** The page's heading: where focus goes after a navigation and where the skip link leads. */
const focusHeading = (): void => {
  const heading = document.querySelector<HTMLElement>('main h1');
  if (heading === null) return;
  heading.tabIndex = -1;
  heading.focus();
};

const titleOf = (route: Route): string => {
  switch (route.page) {
    case 'registry':
      return `${route.tab === 'history' ? 'History of registry' : 'Registry'} ${route.registry}`;
    case 'new-profile':
      return `New profile in ${route.registry}`;
    case 'profile':
      return `Profile ${route.slug} (${route.tab}) in ${route.registry}`;
    case 'schemas':
      return 'Schemas';
    case 'schema':
      return `Schema ${route.name}`;
    default:
      return 'Registries';
  }
};

const Pages = () => {
  const hash = useHash();
  const route = parseRoute(hash);
  const path = hash.split('?')[0];
  useEffect(() => {
    document.title = `${titleOf(route)} · profile-registry console`;
  }, [path]);
  const first = useRef(true);
  useEffect(() => {
    // after a navigation focus moves to the new page's heading (not on the first page shown)
    if (first.current) first.current = false;
    else focusHeading();
  }, [path]);
  switch (route.page) {
    case 'registry':
      return <RegistryPage registry={route.registry} tab={route.tab} params={route.params} />;
    case 'new-profile':
      return <NewProfilePage registry={route.registry} />;
    case 'profile':
      return <ProfilePage registry={route.registry} slug={route.slug} tab={route.tab} params={route.params} />;
    case 'schemas':
      return <SchemasPage />;
    case 'schema':
      return <SchemaPage kind={route.kind} name={route.name} />;
    default:
      return <RegistriesPage params={route.params} />;
  }
};

const App = () => {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(storedToken() !== null);
  const [lastChange, setLastChange] = useState<FeedChange | null>(null);
  const [feed, setFeed] = useState<FeedState>('connecting');
  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    logIn(token).then(setSession, () => logOut()).finally(() => setRestoring(false));
  }, []);
  useEffect(() => (session === null ? undefined : followChanges(setLastChange, setFeed)), [session]);
  if (restoring) return <main><p>Loading…</p></main>;
  if (session === null) return <Login onSession={setSession} />;
  return (
    <AppContext.Provider value={{ session, lastChange }}>
      <a
        class="skip"
        href="#"
        onClick={(event) => {
          event.preventDefault();
          focusHeading();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <a href="#/" class="brand">profile-registry</a>
        <a href="#/schemas">Schemas</a>
        <span class={`feed feed-${feed}`} role="status">{feed === 'live' ? 'live updates on' : feed === 'connecting' ? 'connecting…' : 'live updates off'}</span>
        <span class="who">
          {session.name ?? 'no auth'} ({session.role})
        </span>
        <button
          type="button"
          onClick={() => {
            logOut();
            setSession(null);
          }}
        >
          Log out
        </button>
      </header>
      <main>
        <Pages />
      </main>
    </AppContext.Provider>
  );
};

render(<App />, document.getElementById('app')!);
