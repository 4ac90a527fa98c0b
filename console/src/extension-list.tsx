// A profile's extensions, each edited through its registered schema.
import { useState } from 'preact/hooks';
import type { FieldError } from './client.js';
import type { ExtensionSchema } from './model.js';
import { SchemaFields } from './schema-fields.js';

export interface ExtensionListProps {
  extensions: Record<string, unknown>;
  schemas: ExtensionSchema[];
  errors: FieldError[];
  onChange: (extensions: Record<string, unknown>) => void;
}

const pointerPart = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

export const ExtensionList = ({ extensions, schemas, errors, onChange }: ExtensionListProps) => {
  const [newKey, setNewKey] = useState('');
  return (
    <fieldset class="extensions">
      <legend>Extensions</legend>
      {Object.entries(extensions).map(([key, value], index) => (
        <div class="extension" key={key}>
          <SchemaFields
            idPrefix={`ext-${index}`}
            label={`Extension ${key}`}
            schema={schemas.find((schema) => schema.key === key)?.schema}
            value={value}
            onChange={(next) => onChange({ ...extensions, [key]: next })}
            errors={errors}
            pointer={`/extensions/${pointerPart(key)}`}
          />
          <button
            type="button"
            onClick={() => {
              const copy = { ...extensions };
              delete copy[key];
              onChange(copy);
            }}
          >
            Remove extension {key}
          </button>
        </div>
      ))}
      <div class="row">
        <div class="field">
          <label for="new-extension-key">New extension key (namespace.feature@v1)</label>
          <input id="new-extension-key" list="extension-keys" value={newKey} onInput={(event) => setNewKey(event.currentTarget.value)} />
          <datalist id="extension-keys">
            {schemas.map((schema) => (
              <option key={schema.key} value={schema.key} />
            ))}
          </datalist>
        </div>
        <button
          type="button"
          disabled={newKey.trim() === '' || newKey.trim() in extensions}
          onClick={() => {
            onChange({ ...extensions, [newKey.trim()]: {} });
            setNewKey('');
          }}
        >
          Add extension
        </button>
      </div>
    </fieldset>
  );
};
