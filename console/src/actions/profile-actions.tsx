// What a user does to a whole profile: make it the registry's default, publish (sign) it,
// duplicate it under a new slug, delete it. Each is offered only to a role that may do it.
import { useState } from 'preact/hooks';
import { ApiError, call, enc, withQuery } from '../api.js';
import { useApp } from '../app-context.js';
import { ErrorNote } from '../common.js';
import { canEdit, isAdmin, type ProfileDocument } from '../model.js';
import { profileHref, registryHref } from '../routes.js';
import { copyOf } from './profile-copy.js';

type Open = 'none' | 'duplicate' | 'delete';

/** A stacked-on profile cannot go: the 409 names who stacks on it. */
const deleteRefusal = (error: unknown): string | undefined =>
  error instanceof ApiError && error.status === 409 && /\/profile-in-use$/.test(String((error.problem as { type?: string }).type))
    ? `Not deleted: ${error.message}. Remove it from their stacks first.`
    : undefined;

export const ProfileActions = ({ doc, onChanged }: { doc: ProfileDocument; onChanged: () => void }) => {
  const { session } = useApp();
  const [open, setOpen] = useState<Open>('none');
  const [newSlug, setNewSlug] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  if (!canEdit(session)) return null;
  const path = `/api/chat/profiles/${enc(doc.slug)}`;
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setDone('');
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const makeDefault = () =>
    run(async () => {
      await call(withQuery(`${path}/default`, { registry: doc.registry }), { method: 'POST', body: { registry: doc.registry } });
      setDone(`${doc.slug} is now the default profile of ${doc.registry}.`);
      onChanged();
    });
  const publish = () =>
    run(async () => {
      await call(withQuery(`${path}/publish`, { registry: doc.registry }), { method: 'POST', body: { registry: doc.registry } });
      setDone(`Published: version ${doc.metadata.version} is signed.`);
      onChanged();
    });
  const duplicate = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      // an admin copies the real secrets (the read is logged); others copy what they see
      const source = isAdmin(session)
        ? (await call<ProfileDocument>(withQuery(path, { registry: doc.registry, reveal: 'secrets' }))).data
        : doc;
      const { data } = await call<ProfileDocument>('/api/chat/profiles', { method: 'POST', body: copyOf(source, newSlug.trim()) });
      location.hash = profileHref(data.registry, data.slug);
    });
  };
  const remove = () =>
    run(async () => {
      await call(withQuery(path, { registry: doc.registry, expected_version: doc.metadata.version }), { method: 'DELETE' });
      location.hash = registryHref(doc.registry);
    });
  const refusal = deleteRefusal(error);
  return (
    <section class="actions" aria-labelledby="actions-title">
      <h2 id="actions-title" class="sr-only">
        Actions
      </h2>
      <div class="toolbar">
        <button type="button" onClick={makeDefault} disabled={busy || doc.is_default === true} aria-describedby={doc.is_default ? 'default-reason' : undefined}>
          Make default
        </button>
        {doc.is_default && (
          <span id="default-reason" class="hint">
            Already the default of {doc.registry}.
          </span>
        )}
        <button type="button" onClick={publish} disabled={busy || !isAdmin(session)} aria-describedby={isAdmin(session) ? undefined : 'publish-reason'}>
          Publish
        </button>
        {!isAdmin(session) && (
          <span id="publish-reason" class="hint">
            Publishing needs the admin role.
          </span>
        )}
        <button type="button" aria-expanded={open === 'duplicate'} onClick={() => setOpen(open === 'duplicate' ? 'none' : 'duplicate')}>
          Duplicate…
        </button>
        <button type="button" class="danger-outline" aria-expanded={open === 'delete'} onClick={() => setOpen(open === 'delete' ? 'none' : 'delete')}>
          Delete…
        </button>
      </div>
      {open === 'duplicate' && (
        <form class="confirm" onSubmit={duplicate}>
          <label for="duplicate-slug">Slug of the copy</label>
          <input id="duplicate-slug" type="text" required value={newSlug} onInput={(event) => setNewSlug(event.currentTarget.value)} />
          <p class="hint">A new profile in {doc.registry} with this document's fields (version {doc.metadata.version}); its history starts anew.</p>
          <button type="submit" class="primary" disabled={busy || newSlug.trim() === ''}>
            Create the copy
          </button>
        </form>
      )}
      {open === 'delete' && (
        <div class="confirm" role="group" aria-labelledby="delete-question">
          <p id="delete-question">
            Delete profile <strong>{doc.slug}</strong> from {doc.registry}? Its history stays, and a restore brings it back.
          </p>
          <button type="button" class="danger" disabled={busy} onClick={remove}>
            Delete {doc.slug}
          </button>
          <button type="button" onClick={() => setOpen('none')}>
            Cancel
          </button>
        </div>
      )}
      {done !== '' && <p role="status">{done}</p>}
      {refusal === undefined ? (
        <ErrorNote error={error} />
      ) : (
        <p class="error" role="alert">
          {refusal}
        </p>
      )}
    </section>
  );
};
