// Editing a profile: the form of common fields with schema-built editors, or the raw JSON; saved
// with the version the editor was opened at as `expected_version`. Someone else's save first gives the
// conflict view: what changed since, the places both changed side by side, then reload or re-apply
// (a three-way merge that carries over only what this user changed).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ProblemError, type FieldError } from './client.js';
import { ColumnHeads, ErrorNote } from './common.js';
import { DiffTable } from './diff-table.js';
import { ExtensionList } from './extension-list.js';
import { guardUnsaved } from './leave-guard.js';
import { MiddlewareList } from './middleware-list.js';
import type { ExtensionSchema, MiddlewareSchema, PatchOp, ProfileDocument } from './model.js';
import { changedFields, draftOf, editableOf, editedOf, type EditableProfile, type FormDraft } from './profile-body.js';
import { fieldLabel, showValue } from './pointer.js';
import { FieldMessages, messagesAt } from './schema-fields.js';
import { resolveConflicts, threeWayMerge, type Merged } from './three-way.js';
import { useLoad } from './use-load.js';

export interface Loaded {
  doc: ProfileDocument;
}

interface Conflict {
  /** The version my edit started from. */
  base: Loaded;
  current: Loaded;
  /** What others changed from base to current. */
  changes: PatchOp[];
  /** The fields my edit changes. */
  mine: Partial<EditableProfile>;
  merged: Merged;
}

type Choice = 'mine' | 'theirs';

/** The profile as stored now; secrets as "***" unless `reveal` (an admin's read, audited). */
export const loadProfile = async (registry: string, slug: string, reveal = false): Promise<Loaded> => ({
  doc: (await api.getProfile(slug, { registry, reveal })) as ProfileDocument,
});

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

const ConflictRows = ({ merged, choices, choose }: { merged: Merged; choices: Record<string, Choice>; choose: (path: string, choice: Choice) => void }) => (
  <table class="diff conflicts">
    <caption>Changed by both: choose which value to keep</caption>
    <ColumnHeads names={['Field', 'Yours', 'Theirs', 'Keep']} />
    <tbody>
      {merged.conflicts.map((conflict, index) => (
        <tr key={conflict.path}>
          <th scope="row" class="field">{fieldLabel(conflict.path)}</th>
          <td class="mine"><code>{showValue(conflict.mine)}</code></td>
          <td class="theirs"><code>{showValue(conflict.theirs)}</code></td>
          <td>
            <fieldset class="choice">
              <legend class="sr-only">Keep which value of {fieldLabel(conflict.path)}</legend>
              {(['mine', 'theirs'] as const).map((choice) => (
                <div class="field-boolean" key={choice}>
                  <input type="radio" id={`keep-${index}-${choice}`} name={`keep-${index}`} checked={choices[conflict.path] === choice} onChange={() => choose(conflict.path, choice)} />
                  <label for={`keep-${index}-${choice}`}>{choice === 'mine' ? `Keep mine (${fieldLabel(conflict.path)})` : `Keep theirs (${fieldLabel(conflict.path)})`}</label>
                </div>
              ))}
            </fieldset>
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);

const ConflictView = ({ conflict, onReload, onReapply }: { conflict: Conflict; onReload: () => void; onReapply: (choices: Record<string, Choice>) => void }) => {
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const { base, current, merged } = conflict;
  const undecided = merged.conflicts.filter((each) => choices[each.path] === undefined).length;
  return (
    <section class="conflict" role="alert" aria-labelledby="conflict-title">
      <h2 id="conflict-title">Someone saved first</h2>
      <p>
        You edited version {base.doc.metadata.version}; the profile is now at version {current.doc.metadata.version}
        {current.doc.metadata.updated_by ? `, saved by ${current.doc.metadata.updated_by}` : ''}. Nothing of yours was saved.
      </p>
      <DiffTable changes={conflict.changes} before={editableOf(base.doc)} caption={`Changed since version ${base.doc.metadata.version}`} />
      <p>Your edit changes: {Object.keys(conflict.mine).join(', ')}. Re-applying keeps every change of theirs and carries over only yours.</p>
      {merged.conflicts.length > 0 && <ConflictRows merged={merged} choices={choices} choose={(path, choice) => setChoices((now) => ({ ...now, [path]: choice }))} />}
      <button type="button" onClick={onReload}>
        Reload (discard my edit)
      </button>
      <button type="button" disabled={undecided > 0} aria-describedby={undecided > 0 ? 'conflict-undecided' : undefined} onClick={() => onReapply(choices)}>
        Re-apply my edit on version {current.doc.metadata.version}
      </button>
      {undecided > 0 && (
        <p class="hint" id="conflict-undecided">
          Choose a value for each field changed by both ({undecided} left).
        </p>
      )}
    </section>
  );
};

const RawEditor = ({ base, onSave, onText }: { base: ProfileDocument; onSave: (edited: EditableProfile) => void; onText: (text: string, initial: string) => void }) => {
  const [initial] = useState(() => JSON.stringify(editableOf(base), null, 2));
  const [text, setText] = useState(initial);
  useEffect(() => onText(text, initial), [text, initial]);
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
      middlewares: (await api.listMiddlewareSchemas()) as MiddlewareSchema[],
      extensions: (await api.listExtensionSchemas()) as ExtensionSchema[],
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
  // what the open form holds, for the question asked before leaving with unsaved changes
  const unsaved = useRef<() => boolean>(() => false);
  unsaved.current =
    mode === 'form' ? () => Object.keys(changedFields(base.doc, editedOf(base.doc, draft))).length > 0 : unsaved.current;
  useEffect(() => guardUnsaved(() => unsaved.current()), []);
  /** Sends the fields `edited` changes from `against`, expecting its version; a conflict merges. */
  const send = async (edited: EditableProfile, against: Loaded) => {
    const body = changedFields(against.doc, edited);
    if (Object.keys(body).length === 0) {
      if (against !== base) restart(against);
      setNote('Nothing to save: no field changed.');
      return;
    }
    setError(undefined);
    setErrors([]);
    setNote(null);
    try {
      const { doc } = against;
      const saved = { doc: (await api.updateProfile(doc.slug, { ...body, expected_version: doc.metadata.version }, { registry: doc.registry })) as ProfileDocument };
      restart(saved);
      setNote(`Saved as version ${saved.doc.metadata.version}.`);
      onSaved(saved);
    } catch (failure) {
      if (failure instanceof ProblemError && (failure.status === 412 || failure.status === 409)) {
        const current = await loadProfile(against.doc.registry, against.doc.slug);
        const { changes } = await api.diff(against.doc.slug, against.doc.metadata.version, current.doc.metadata.version, { registry: against.doc.registry });
        setConflict({ base: against, current, changes, mine: body, merged: threeWayMerge(editableOf(against.doc), { ...editableOf(against.doc), ...body }, editableOf(current.doc)) });
        return;
      }
      if (failure instanceof ProblemError) setErrors(failure.problem.errors ?? []);
      setError(failure);
    }
  };
  const save = (edited: EditableProfile) => void send(edited, base);
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
          onReload={() => restart(conflict.current)}
          onReapply={(choices) => {
            const { current, merged } = conflict;
            setConflict(null);
            void send(resolveConflicts(merged, choices), current);
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
        <RawEditor
          key={`raw-${round}`}
          base={base.doc}
          onSave={save}
          onText={(text, initial) => {
            if (mode === 'raw') unsaved.current = () => text !== initial;
          }}
        />
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

