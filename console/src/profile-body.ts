// What an edit sends: the editable fields of a profile, and only those that changed.
import type { Middleware, Policy, ProfileDocument, Runtime } from './model.js';

export interface EditableProfile {
  display_name?: string;
  description?: string;
  runtime?: Runtime;
  policy?: Policy;
  extensions?: Record<string, unknown>;
  stack?: ProfileDocument['stack'];
  metadata?: { tags?: string[] };
}

const EDITABLE = ['display_name', 'description', 'runtime', 'policy', 'extensions', 'stack', 'metadata'] as const;

/** The part of a document a client may write (the raw JSON view shows exactly this). */
export const editableOf = (doc: ProfileDocument): EditableProfile => ({
  display_name: doc.display_name,
  description: doc.description,
  runtime: doc.runtime,
  policy: doc.policy,
  extensions: doc.extensions,
  stack: doc.stack,
  metadata: { tags: doc.metadata.tags ?? [] },
});

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The PATCH body: every editable field of `edited` that differs from `base` (an absent key keeps the stored field). */
export const changedFields = (base: ProfileDocument, edited: EditableProfile): Partial<EditableProfile> => {
  const before = editableOf(base);
  const body: Record<string, unknown> = {};
  for (const key of EDITABLE) if (edited[key] !== undefined && !same(before[key], edited[key])) body[key] = edited[key];
  return body as Partial<EditableProfile>;
};

/** The common fields of the form. */
export interface FormDraft {
  display_name: string;
  description: string;
  system_prompt: string;
  tools: string;
  tags: string;
  allow_overrides: boolean;
  read_only: boolean;
  middlewares: Middleware[];
  extensions: Record<string, unknown>;
}

const words = (text: string): string[] => text.split(',').map((word) => word.trim()).filter((word) => word !== '');

export const draftOf = (doc: ProfileDocument): FormDraft => ({
  display_name: doc.display_name ?? '',
  description: doc.description ?? '',
  system_prompt: doc.runtime?.system_prompt ?? '',
  tools: (doc.runtime?.tools ?? []).join(', '),
  tags: (doc.metadata.tags ?? []).join(', '),
  allow_overrides: doc.policy?.allow_overrides ?? true,
  read_only: doc.policy?.read_only ?? false,
  middlewares: doc.runtime?.middlewares ?? [],
  extensions: doc.extensions ?? {},
});

/** A blank value where the stored document has none stays absent, so an untouched form changes nothing. */
const unlessBlank = <T>(stored: T | undefined, value: T, blank: boolean): T | undefined => (stored === undefined && blank ? undefined : value);

/** The draft as profile fields, keeping what the form does not show (step settings, override lists, stack). */
export const editedOf = (base: ProfileDocument, draft: FormDraft): EditableProfile => {
  const tools = words(draft.tools);
  return {
    display_name: unlessBlank(base.display_name, draft.display_name, draft.display_name === ''),
    description: unlessBlank(base.description, draft.description, draft.description === ''),
    runtime: {
      ...base.runtime,
      system_prompt: unlessBlank(base.runtime?.system_prompt, draft.system_prompt, draft.system_prompt === ''),
      tools: unlessBlank(base.runtime?.tools, tools, tools.length === 0),
      middlewares: unlessBlank(base.runtime?.middlewares, draft.middlewares, draft.middlewares.length === 0),
    },
    // an untouched form leaves a profile without a policy without one
    policy: unlessBlank(base.policy, { ...base.policy, allow_overrides: draft.allow_overrides, read_only: draft.read_only }, draft.allow_overrides && !draft.read_only),
    extensions: unlessBlank(base.extensions, draft.extensions, Object.keys(draft.extensions).length === 0),
    metadata: { tags: words(draft.tags) },
  };
};
