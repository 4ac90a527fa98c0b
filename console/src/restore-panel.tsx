// Restore in two steps: the dry run shows what would change, then the user confirms.
import { useState } from 'preact/hooks';
import { ErrorNote } from './common.js';
import { DiffTable } from './diff-table.js';
import type { PatchOp } from './model.js';

export interface RestorePanelProps {
  /** What is restored, for the labels: "profile analyst", "registry team". */
  what: string;
  idPrefix: string;
  latest: number;
  before: unknown;
  preview: (version: number) => Promise<PatchOp[]>;
  apply: (version: number) => Promise<void>;
}

export const RestorePanel = ({ what, idPrefix, latest, before, preview, apply }: RestorePanelProps) => {
  const [version, setVersion] = useState('');
  const [changes, setChanges] = useState<PatchOp[] | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const target = Number(version);
  const run = async (step: () => Promise<void>) => {
    setError(undefined);
    try {
      await step();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section class="restore" aria-labelledby={`${idPrefix}-restore-title`}>
      <h2 id={`${idPrefix}-restore-title`}>Restore {what}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            setDone(null);
            setChanges(await preview(target));
          });
        }}
      >
        <label for={`${idPrefix}-restore-version`}>Version to restore</label>
        <input
          id={`${idPrefix}-restore-version`}
          type="number"
          min={1}
          max={latest}
          required
          value={version}
          onInput={(event) => {
            setVersion(event.currentTarget.value);
            setChanges(null);
          }}
        />
        <button type="submit">Preview restore</button>
      </form>
      {changes !== null && (
        <div class="preview">
          <DiffTable changes={changes} before={before} caption={`Restoring version ${target} would change`} />
          <button
            type="button"
            class="danger"
            disabled={changes.length === 0}
            onClick={() =>
              void run(async () => {
                await apply(target);
                setChanges(null);
                setDone(`Restored version ${target} as a new version.`);
              })
            }
          >
            Confirm restore of version {target}
          </button>
          <button type="button" onClick={() => setChanges(null)}>
            Cancel
          </button>
        </div>
      )}
      {done && <p role="status">{done}</p>}
      <ErrorNote error={error} />
    </section>
  );
};
