// A diff for people: one row per changed field, with the value before and after, not raw JSON Patch.
import { ColumnHeads } from './common.js';
import type { PatchOp } from './model.js';
import { fieldLabel, showValue, valueAt } from './pointer.js';

const ACTIONS: Record<string, string> = { add: 'added', remove: 'removed', replace: 'changed', move: 'moved', copy: 'copied' };

export const DiffTable = ({ changes, before, caption }: { changes: PatchOp[]; before?: unknown; caption: string }) => {
  if (changes.length === 0) return <p class="muted">No field changed.</p>;
  return (
    <table class="diff">
      <caption>{caption}</caption>
      <ColumnHeads names={['Field', 'Change', 'Before', 'After']} />
      <tbody>
        {changes.map((change, index) => (
          <tr key={index} class={`diff-${change.op}`}>
            <th scope="row" class="field">{fieldLabel(change.path)}</th>
            <td>{ACTIONS[change.op] ?? change.op}</td>
            <td class="before">{change.op === 'add' ? '—' : <code>{showValue(valueAt(before, change.path))}</code>}</td>
            <td class="after">{change.op === 'remove' ? '—' : <code>{showValue(change.value)}</code>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
