// JSON pointers (RFC 6901), as the API's changes and field errors name places in a document.

export const pointerSegments = (pointer: string): string[] =>
  pointer === '' ? [] : pointer.split('/').slice(1).map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));

/** The value at `pointer` in `doc`, or undefined when there is none. */
export const valueAt = (doc: unknown, pointer: string): unknown => {
  let here: unknown = doc;
  for (const segment of pointerSegments(pointer)) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string, unknown>)[segment];
  }
  return here;
};

const LABELS: Record<string, string> = {
  display_name: 'display name',
  system_prompt: 'system prompt',
  step_settings_patch: 'step settings',
  middlewares: 'middlewares',
  allow_overrides: 'allow overrides',
  read_only: 'read only',
};

/** A field's name for people: `/runtime/system_prompt` reads `runtime › system prompt`. */
export const fieldLabel = (pointer: string): string => {
  const segments = pointerSegments(pointer);
  return segments.length === 0 ? '(whole profile)' : segments.map((segment) => (/^\d+$/.test(segment) ? `#${Number(segment) + 1}` : (LABELS[segment] ?? segment))).join(' › ');
};

export const showValue = (value: unknown): string => {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');
};
