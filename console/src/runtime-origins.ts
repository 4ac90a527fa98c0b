// Where each value of an effective runtime comes from: resolve's `stack_trace` names, for every
// value (a step setting, the system prompt, the tools, each middleware), the layer that set it.
import { redactSecrets, SECRET_AREAS } from '../../src/domain/secrets.js';
import type { StackTraceEntry } from './model.js';
import { fieldLabel, pointerSegments } from './pointer.js';

export interface ValueOrigin {
  path: string;
  /** The value's name for people: `step settings › ai-chat › ai-engine`, `middleware agentmode`. */
  label: string;
  value: unknown;
  entry: StackTraceEntry;
}

/** `agentmode#planner` (by id) or `agentmode@1` (the second without an id), as the merge keys middlewares. */
const middlewareLabel = (key: string): string => {
  const byId = key.indexOf('#');
  if (byId >= 0) return `middleware ${key.slice(0, byId)} (id ${key.slice(byId + 1)})`;
  const at = key.lastIndexOf('@');
  const nth = at < 0 ? 0 : Number(key.slice(at + 1));
  return `middleware ${at < 0 ? key : key.slice(0, at)}${nth > 0 ? ` #${nth + 1}` : ''}`;
};

/** The trace's rows, each value shown as "***" where it is a secret unless `reveal`. */
export const valueOrigins = (trace: StackTraceEntry[], reveal: boolean): ValueOrigin[] =>
  trace.map((entry) => {
    // `/runtime/step_settings_patch/ai-chat/ai-engine` → where in a runtime the value sits
    const [, area = '', ...rest] = pointerSegments(entry.path);
    const middleware = area === 'middlewares';
    const at = middleware ? ['middlewares', 0] : [area, ...rest];
    return {
      path: entry.path,
      label: middleware ? middlewareLabel(rest.join('/')) : fieldLabel(entry.path.replace(/^\/runtime/, '')),
      value: reveal ? entry.value : redactSecrets(entry.value, SECRET_AREAS.runtime, at),
      entry,
    };
  });
