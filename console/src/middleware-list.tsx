// The middlewares of a profile, each with its config edited through its registered schema.
import type { FieldError } from './client.js';
import { FieldMessages, messagesAt, SchemaFields } from './schema-fields.js';
import type { Middleware, MiddlewareSchema } from './model.js';

export interface MiddlewareListProps {
  middlewares: Middleware[];
  schemas: MiddlewareSchema[];
  errors: FieldError[];
  onChange: (middlewares: Middleware[]) => void;
}

export const MiddlewareList = ({ middlewares, schemas, errors, onChange }: MiddlewareListProps) => {
  const update = (index: number, next: Partial<Middleware>) => onChange(middlewares.map((each, at) => (at === index ? { ...each, ...next } : each)));
  return (
    <fieldset class="middlewares">
      <legend>Middlewares</legend>
      <datalist id="middleware-names">
        {schemas.map((schema) => (
          <option key={schema.name} value={schema.name}>
            {schema.display_name ?? schema.name}
          </option>
        ))}
      </datalist>
      {middlewares.map((middleware, index) => {
        const id = `mw-${index}`;
        const pointer = `/runtime/middlewares/${index}`;
        const schema = schemas.find((each) => each.name === middleware.name);
        return (
          <div class="middleware" key={index}>
            <h3>
              Middleware {index + 1}: {middleware.name || '(unnamed)'}
              {schema ? <span class="muted"> schema version {schema.version}</span> : <span class="muted"> no registered schema</span>}
            </h3>
            <div class="row">
              <div class="field">
                <label for={`${id}-name`}>Name</label>
                <input id={`${id}-name`} list="middleware-names" value={middleware.name} onInput={(event) => update(index, { name: event.currentTarget.value })} />
                <FieldMessages id={`${id}-name-errors`} messages={messagesAt(errors, `${pointer}/name`)} />
              </div>
              <div class="field">
                <label for={`${id}-id`}>Id</label>
                <input id={`${id}-id`} value={middleware.id ?? ''} onInput={(event) => update(index, { id: event.currentTarget.value === '' ? undefined : event.currentTarget.value })} />
              </div>
              <div class="field field-boolean">
                <label for={`${id}-enabled`}>Enabled</label>
                <input id={`${id}-enabled`} type="checkbox" checked={middleware.enabled !== false} onChange={(event) => update(index, { enabled: event.currentTarget.checked })} />
              </div>
              <button type="button" onClick={() => onChange(middlewares.filter((_, at) => at !== index))}>
                Remove middleware {index + 1}
              </button>
            </div>
            <SchemaFields
              key={`${middleware.name}-${schema?.version ?? 0}`}
              idPrefix={`${id}-config`}
              label={`Config of ${middleware.name || 'middleware'}`}
              schema={schema?.schema}
              value={middleware.config ?? {}}
              onChange={(config) => update(index, { config })}
              errors={errors}
              pointer={`${pointer}/config`}
            />
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...middlewares, { name: '', enabled: true, config: {} }])}>
        Add middleware
      </button>
    </fieldset>
  );
};
