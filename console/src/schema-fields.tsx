// An editor built from a registered JSON Schema: one control per property of simple type, a JSON
// field for the rest, and the server's validation messages beside the field they name.
import { useState } from 'preact/hooks';
import type { FieldError } from './client.js';
import type { JsonSchema } from './model.js';
import { pointerSegments } from './pointer.js';

type Config = Record<string, unknown>;

const SIMPLE = new Set(['string', 'integer', 'number', 'boolean']);
const typeOf = (schema: JsonSchema): string | undefined => (Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : schema.type);
const isSimple = (schema: JsonSchema): boolean => schema.enum !== undefined || SIMPLE.has(typeOf(schema) ?? '');

/** The messages of errors at `pointer` or below it. */
export const messagesAt = (errors: FieldError[], pointer: string): string[] =>
  errors.filter((error) => error.path === pointer || error.path.startsWith(`${pointer}/`)).map((error) => error.message);

export const FieldMessages = ({ id, messages }: { id: string; messages: string[] }) =>
  messages.length === 0 ? null : (
    <div class="field-errors" id={id} role="alert">
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul>
          {messages.map((message, index) => (
            <li key={index}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );

/** A JSON value edited as text: parse errors are shown, and the value changes only when it parses. */
export const JsonField = ({ id, label, value, onChange, messages, hint }: { id: string; label: string; value: unknown; onChange: (value: unknown) => void; messages: string[]; hint?: string }) => {
  const [text, setText] = useState(() => JSON.stringify(value ?? {}, null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const shown = parseError === null ? messages : [parseError, ...messages];
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && <p class="hint">{hint}</p>}
      <textarea
        id={id}
        rows={Math.min(12, Math.max(3, text.split('\n').length))}
        spellcheck={false}
        aria-invalid={shown.length > 0}
        aria-describedby={shown.length > 0 ? `${id}-errors` : undefined}
        value={text}
        onInput={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          try {
            onChange(JSON.parse(next));
            setParseError(null);
          } catch {
            setParseError('not valid JSON');
          }
        }}
      />
      <FieldMessages id={`${id}-errors`} messages={shown} />
    </div>
  );
};

const SimpleField = ({ id, name, schema, value, onChange, messages }: { id: string; name: string; schema: JsonSchema; value: unknown; onChange: (value: unknown) => void; messages: string[] }) => {
  const type = typeOf(schema);
  const described = [schema.description ? `${id}-hint` : '', messages.length > 0 ? `${id}-errors` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-invalid': messages.length > 0, 'aria-describedby': described };
  let control;
  if (schema.enum !== undefined) {
    const index = schema.enum.findIndex((option) => option === value);
    control = (
      <select {...common} value={String(index)} onChange={(event) => onChange(Number(event.currentTarget.value) < 0 ? undefined : schema.enum![Number(event.currentTarget.value)])}>
        <option value="-1">(not set)</option>
        {schema.enum.map((option, position) => (
          <option key={position} value={String(position)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (type === 'boolean') {
    control = <input {...common} type="checkbox" checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} />;
  } else if (type === 'integer' || type === 'number') {
    control = (
      <input
        {...common}
        type="number"
        step={type === 'integer' ? 1 : 'any'}
        value={typeof value === 'number' ? String(value) : ''}
        onInput={(event) => onChange(event.currentTarget.value === '' ? undefined : Number(event.currentTarget.value))}
      />
    );
  } else {
    control = <input {...common} type="text" value={typeof value === 'string' ? value : ''} onInput={(event) => onChange(event.currentTarget.value === '' ? undefined : event.currentTarget.value)} />;
  }
  return (
    <div class={`field field-${type ?? 'enum'}`}>
      <label for={id}>
        {schema.title ?? name}
        {schema.enum === undefined && type !== undefined ? <span class="muted"> ({type})</span> : null}
      </label>
      {control}
      {schema.description && (
        <p class="hint" id={`${id}-hint`}>
          {schema.description}
        </p>
      )}
      <FieldMessages id={`${id}-errors`} messages={messages} />
    </div>
  );
};

export interface SchemaFieldsProps {
  idPrefix: string;
  label: string;
  schema: JsonSchema | undefined;
  value: unknown;
  onChange: (value: unknown) => void;
  errors: FieldError[];
  /** The JSON pointer of this value in the profile document, where the server's errors point. */
  pointer: string;
}

/** The form for one schema-described object; a JSON field when there is no schema or it is not a flat object. */
export const SchemaFields = ({ idPrefix, label, schema, value, onChange, errors, pointer }: SchemaFieldsProps) => {
  const properties = schema?.properties;
  if (properties === undefined || Object.keys(properties).length === 0) {
    return <JsonField id={idPrefix} label={`${label} (JSON)`} value={value} onChange={onChange} messages={messagesAt(errors, pointer)} hint={schema?.description} />;
  }
  const config: Config = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Config) : {};
  const set = (name: string, next: unknown) => {
    const copy = { ...config };
    if (next === undefined) delete copy[name];
    else copy[name] = next;
    onChange(copy);
  };
  const known = new Set(Object.keys(properties));
  const ownMessages = errors
    .filter((error) => error.path === pointer || (error.path.startsWith(`${pointer}/`) && !known.has(pointerSegments(error.path.slice(pointer.length))[0] ?? '')))
    .map((error) => error.message);
  return (
    <fieldset class="schema-form">
      <legend>{label}</legend>
      {schema?.description && <p class="hint">{schema.description}</p>}
      {Object.entries(properties).map(([name, property]) => {
        const id = `${idPrefix}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
        const messages = messagesAt(errors, `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        return isSimple(property) ? (
          <SimpleField key={name} id={id} name={name} schema={property} value={config[name]} onChange={(next) => set(name, next)} messages={messages} />
        ) : (
          <JsonField key={name} id={id} label={`${property.title ?? name} (JSON)`} value={config[name]} onChange={(next) => set(name, next)} messages={messages} hint={property.description} />
        );
      })}
      <FieldMessages id={`${idPrefix}-errors`} messages={ownMessages} />
    </fieldset>
  );
};
