// Editing a profile: the form of common fields with schema-built editors, or the raw JSON; saved
// with If-Match of the version the editor was opened at. Someone else's save first gives the
// conflict view: what changed since, then reload or re-apply.
import { useState } from 'preact/hooks';
import { ApiError, call, enc, get, withQuery, type FieldError } from './api.js';
import { ErrorNote } from './common.js';
import { DiffTable } from './diff-table.js';
import { ExtensionList } from './extension-list.js';
import { MiddlewareList } from './middleware-list.js';
import type { ExtensionSchema, MiddlewareSchema, PatchOp, ProfileDocument } from './model.js';
import { changedFields, draftOf, editableOf, editedOf, type EditableProfile, type FormDraft } from './profile-body.js';
import { FieldMessages, messagesAt } from './schema-fields.js';
import { useLoad } from './use-load.js';

export interface Loaded {
  doc: ProfileDocument;
  etag: string | null;
}

interface Conflict {
  current: Loaded;
  changes: PatchOp[];
  mine: Partial<EditableProfile>;
}

const profilePath = (doc: ProfileDocument): string => `/api/chat/profiles/${enc(doc.slug)}`;

const loadProfile = async (registry: string, slug: string): Promise<Loaded> => {
  const answer = await call<ProfileDocument>(withQuery(`/api/chat/profiles/${enc(slug)}`, { registry }));
  return { doc: answer.data, etag: answer.etag };
};

const TextField = ({ id, label, value, onInput, messages = [], multiline = false, hint }: { id: string; label: string; value: string; onInput: (value: string) => void; messages?: string[]; multiline?: boolean; hint?: string }) => {
  const props = {
    id,
    value,
    'aria-invalid': messages.length > 0,
    'aria-describedby': [hint ? `${id}-hint` : '', messages.length > 0 ? `${id}-errors` : ''].filter(Boolean).join(' ') || undefined,
    onInput: (event: Event) => onInput((event.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {multiline ? <textarea rows={5} {...props} /> : <input type="text" {...props} />}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldMessages id={`${id}-errors`} messages={messages} />
    </div>
  );
};

const CommonFields = ({ draft, set, errors }: { draft: FormDraft; set: (next: Partial<FormDraft>) => void; errors: FieldError[] }) => (
  <fieldset>
    <legend>Profile</legend>
    <TextField id="display-name" label="Display name" value={draft.display_name} onInput={(display_name) => set({ display_name })} messages={messagesAt(errors, '/display_name')} />
    <TextField id="description" label="Description" value={draft.description} onInput={(description) => set({ description })} messages={messagesAt(errors, '/description')} />
    <TextField id="tags" label="Tags" hint="Separated by commas." value={draft.tags} onInput={(tags) => set({ tags })} messages={messagesAt(errors, '/metadata/tags')} />
    <TextField id="system-prompt" label="System prompt" multiline value={draft.system_prompt} onInput={(system_prompt) => set({ system_prompt })} messages={messagesAt(errors, '/runtime/system_prompt')} />
    <TextField id="tools" label="Tools" hint="Separated by commas." value={draft.tools} onInput={(tools) => set({ tools })} messages={messagesAt(errors, '/runtime/tools')} />
    <div class="field field-boolean">
      <input id="allow-overrides" type="checkbox" checked={draft.allow_overrides} onChange={(event) => set({ allow_overrides: event.currentTarget.checked })} />
      <label for="allow-overrides">Allow runtime overrides</label>
    </div>
    <div class="field field-boolean">
      <input id="read-only" type="checkbox" checked={draft.read_only} onChange={(event) => set({ read_only: event.currentTarget.checked })} />
      <label for="read-only">Read only</label>
    </div>
  </fieldset>
);

const ConflictView = ({ conflict, base, onReload, onReapply }: { conflict: Conflict; base: ProfileDocument; onReload: () => void; onReapply: () => void }) => (
  <section class="conflict" role="alert" aria-labelledby="conflict-title">
    <h2 id="conflict-title">Someone saved first</h2>
    <p>
      You edited version {base.metadata.version}; the profile is now at version {conflict.current.doc.metadata.version}
      {conflict.current.doc.metadata.updated_by ? `, saved by ${conflict.current.doc.metadata.updated_by}` : ''}. Nothing of yours was saved.
    </p>
    <DiffTable changes={conflict.changes} before={editableOf(base)} caption={`Changed since version ${base.metadata.version}`} />
    <p>Your edit changes: {Object.keys(conflict.mine).join(', ')}.</p>
    <button type="button" onClick={onReload}>
      Reload (discard my edit)
    </button>
    <button type="button" onClick={onReapply}>
      Re-apply my edit on version {conflict.current.doc.metadata.version}
    </button>
  </section>
);

const RawEditor = ({ base, onSave }: { base: ProfileDocument; onSave: (edited: EditableProfile) => void }) => {
  const [text, setText] = useState(() => JSON.stringify(editableOf(base), null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        try {
          const parsed = JSON.parse(text) as unknown;
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the profile must be a JSON object');
          setParseError(null);
          onSave(parsed as EditableProfile);
        } catch (error) {
          setParseError((error as Error).message);
        }
      }}
    >
      <div class="field">
        <label for="raw-json">Profile as JSON (the fields a client may write)</label>
        <textarea id="raw-json" class="raw" rows={24} spellcheck={false} value={text} onInput={(event) => setText(event.currentTarget.value)} aria-describedby={parseError ? 'raw-json-errors' : undefined} />
        <FieldMessages id="raw-json-errors" messages={parseError ? [parseError] : []} />
      </div>
      <button type="submit">Save</button>
    </form>
  );
};

export interface ProfileEditorProps {
  start: Loaded;
  /** The version the page shows now (it follows the change feed). */
  liveVersion: number;
  mode: 'form' | 'raw';
  onSaved: (saved: Loaded) => void;
}

export const ProfileEditor = ({ start, liveVersion, mode, onSaved }: ProfileEditorProps) => {
  const [base, setBase] = useState<Loaded>(start);
  const [draft, setDraft] = useState<FormDraft>(() => draftOf(start.doc));
  const [round, setRound] = useState(0);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [note, setNote] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const schemas = useLoad(
    async () => ({
      middlewares: await get<MiddlewareSchema[]>('/api/chat/schemas/middlewares'),
      extensions: await get<ExtensionSchema[]>('/api/chat/schemas/extensions'),
    }),
    [],
  );
  const restart = (loaded: Loaded) => {
    setBase(loaded);
    setDraft(draftOf(loaded.doc));
    setRound((value) => value + 1);
    setConflict(null);
    setErrors([]);
  };
  const send = async (body: Partial<EditableProfile>, against: Loaded) => {
    setError(undefined);
    setErrors([]);
    setNote(null);
    try {
      const answer = await call<ProfileDocument>(profilePath(against.doc), { method: 'PATCH', body: { registry: against.doc.registry, ...body }, ifMatch: against.etag });
      const saved = { doc: answer.data, etag: answer.etag };
      restart(saved);
      setNote(`Saved as version ${saved.doc.metadata.version}.`);
      onSaved(saved);
    } catch (failure) {
      if (failure instanceof ApiError && (failure.status === 412 || failure.status === 409)) {
        const current = await loadProfile(against.doc.registry, against.doc.slug);
        const { changes } = await get<{ changes: PatchOp[] }>(
          withQuery(`${profilePath(against.doc)}/diff`, { registry: against.doc.registry, from: against.doc.metadata.version, to: current.doc.metadata.version }),
        );
        setConflict({ current, changes, mine: body });
        return;
      }
      if (failure instanceof ApiError) setErrors(failure.problem.errors ?? []);
      setError(failure);
    }
  };
  const save = (edited: EditableProfile) => {
    const body = changedFields(base.doc, edited);
    if (Object.keys(body).length === 0) {
      setNote('Nothing to save: no field changed.');
      return;
    }
    void send(body, base);
  };
  return (
    <>
      {liveVersion > base.doc.metadata.version && conflict === null && (
        <p class="notice" role="status">
          This profile was changed elsewhere (now version {liveVersion}) since you opened it at version {base.doc.metadata.version}. Saving will show what changed.
        </p>
      )}
      {conflict && (
        <ConflictView
          conflict={conflict}
          base={base.doc}
          onReload={() => restart(conflict.current)}
          onReapply={() => {
            const { current, mine } = conflict;
            setConflict(null);
            void send(mine, current);
          }}
        />
      )}
      <ErrorNote error={error} />
      {errors.length > 0 && (
        <ul class="field-errors summary" aria-label="Problems found by the server">
          {errors.map((each, index) => (
            <li key={index}>
              <code>{each.path}</code>: {each.message}
            </li>
          ))}
        </ul>
      )}
      {note && <p role="status">{note}</p>}
      {mode === 'raw' ? (
        <RawEditor key={`raw-${round}`} base={base.doc} onSave={save} />
      ) : (
        <form
          key={`form-${round}`}
          class="editor"
          onSubmit={(event) => {
            event.preventDefault();
            save(editedOf(base.doc, draft));
          }}
        >
          <ErrorNote error={schemas.error} />
          <CommonFields draft={draft} set={(next) => setDraft((now) => ({ ...now, ...next }))} errors={errors} />
          <MiddlewareList middlewares={draft.middlewares} schemas={schemas.data?.middlewares ?? []} errors={errors} onChange={(middlewares) => setDraft((now) => ({ ...now, middlewares }))} />
          <ExtensionList extensions={draft.extensions} schemas={schemas.data?.extensions ?? []} errors={errors} onChange={(extensions) => setDraft((now) => ({ ...now, extensions }))} />
          <button type="submit" class="primary">
            Save
          </button>
        </form>
      )}
    </>
  );
};

