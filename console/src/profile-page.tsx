// One profile: its document, effective runtime, signature, the editor, raw JSON and history.
import { useEffect, useState } from 'preact/hooks';
import { ProfileActions } from './actions/profile-actions.js';
import { call, enc, withQuery } from './api.js';
import { useApp } from './app-context.js';
import { ErrorNote, Json, Tabs, when } from './common.js';
import { EffectiveRuntime } from './effective-runtime.js';
import { canEdit, isAdmin, type ProfileDocument } from './model.js';
import { ProfileEditor, type Loaded } from './profile-editor.js';
import { ProfileHistory } from './profile-history.js';
import { profileHref, registryHref } from './routes.js';
import { useLoad } from './use-load.js';

const SignatureState = ({ doc }: { doc: ProfileDocument }) => {
  if (doc.signature === undefined) return <p>Signature: not signed.</p>;
  const { signature } = doc;
  const state = doc.signature_valid ? 'valid' : signature.version < doc.metadata.version ? 'stale (changed since it was signed)' : 'not valid';
  return (
    <p>
      Signature: <strong class={doc.signature_valid ? 'ok' : 'warn'}>{state}</strong>, version {signature.version} signed by {signature.signed_by} at {signature.signed_at} with key{' '}
      {signature.key_id}.
    </p>
  );
};

const Overview = ({ doc, reveal, setReveal }: { doc: ProfileDocument; reveal: boolean; setReveal: (reveal: boolean) => void }) => {
  const { session } = useApp();
  return (
    <>
      <dl class="facts">
        <dt>Display name</dt>
        <dd>{doc.display_name ?? '—'}</dd>
        <dt>Description</dt>
        <dd>{doc.description ?? '—'}</dd>
        <dt>Tags</dt>
        <dd>{(doc.metadata.tags ?? []).join(', ') || '—'}</dd>
        <dt>Version</dt>
        <dd class="profile-version">{doc.metadata.version}</dd>
        <dt>Updated</dt>
        <dd>
          {when(doc.metadata.updated_at_ms)} by {doc.metadata.updated_by ?? '—'}
        </dd>
        <dt>Fingerprint</dt>
        <dd>
          <code>{doc.fingerprint}</code>
        </dd>
      </dl>
      <SignatureState doc={doc} />
      <EffectiveRuntime doc={doc} mayReveal={session.role === 'admin' || session.role === 'runtime'} />
      <section aria-labelledby="document-title">
        <h2 id="document-title">Document</h2>
        {isAdmin(session) ? (
          <div class="field field-boolean">
            <input id="reveal-secrets" type="checkbox" checked={reveal} onChange={(event) => setReveal(event.currentTarget.checked)} />
            <label for="reveal-secrets">Reveal secrets (logged by the server)</label>
          </div>
        ) : (
          <p class="hint">Secrets read as *** (revealing them needs the admin role).</p>
        )}
        <Json value={doc} label={`Document of ${doc.slug}`} />
      </section>
    </>
  );
};

export const ProfilePage = ({ registry, slug, tab }: { registry: string; slug: string; tab: string }) => {
  const { session, lastChange } = useApp();
  const [reveal, setReveal] = useState(false);
  const relevant = lastChange !== null && lastChange.registry === registry ? lastChange.position : undefined;
  const loaded = useLoad(async (): Promise<Loaded> => {
    const answer = await call<ProfileDocument>(withQuery(`/api/chat/profiles/${enc(slug)}`, { registry, reveal: reveal ? 'secrets' : undefined }));
    return { doc: answer.data, etag: answer.etag };
  }, [registry, slug, reveal, relevant]);
  // what was loaded for another address (the previous profile, while this one loads) is never shown
  const isThis = (each: Loaded | null | undefined): each is Loaded => each !== null && each !== undefined && each.doc.slug === slug && each.doc.registry === registry;
  const shown = isThis(loaded.data) ? loaded.data : undefined;
  // the editor opens at the version shown when it is opened, and keeps it while it is open
  const [kept, setEditStart] = useState<Loaded | null>(null);
  const editStart = isThis(kept) ? kept : null;
  const editing = tab === 'edit' || tab === 'raw';
  useEffect(() => {
    if (!editing) setEditStart(null);
    else if (editStart === null && shown !== undefined && !reveal) setEditStart(shown);
  }, [editing, shown, editStart, reveal]);
  useEffect(() => {
    if (editing && reveal) setReveal(false);
  }, [editing, reveal]);
  const doc = shown?.doc;
  const tabs: [string, string][] = [['overview', 'Overview']];
  if (canEdit(session)) tabs.push(['edit', 'Edit'], ['raw', 'Raw JSON']);
  tabs.push(['history', 'History']);
  return (
    <>
      <p class="crumbs">
        <a href="#/">Registries</a> / <a href={registryHref(registry)}>{registry}</a> / {slug}
      </p>
      <h1>
        Profile {slug}
        {doc ? <span class="version"> version {doc.metadata.version}</span> : null}
        {doc?.is_default ? <span class="badge">default</span> : null}
      </h1>
      <Tabs tabs={tabs} current={tab} hrefOf={(id) => profileHref(registry, slug, id)} />
      <ErrorNote error={loaded.error} />
      {doc && tab === 'overview' && <ProfileActions key={`${registry}/${slug}`} doc={doc} onChanged={loaded.reload} />}
      {doc && tab === 'overview' && <Overview doc={doc} reveal={reveal} setReveal={setReveal} />}
      {doc && editing && !canEdit(session) && <p>Your token may not edit profiles.</p>}
      {doc && editing && canEdit(session) && editStart && (
        <ProfileEditor key={`${registry}/${slug}/${tab}`} start={editStart} liveVersion={doc.metadata.version} mode={tab === 'raw' ? 'raw' : 'form'} onSaved={(saved) => {
            setEditStart(saved);
            loaded.reload();
          }} />
      )}
      {doc && tab === 'history' && <ProfileHistory doc={doc} onRestored={loaded.reload} />}
    </>
  );
};
