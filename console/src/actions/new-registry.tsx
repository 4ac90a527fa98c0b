// Creating a registry (admin): its slug and names; profiles are added on its page.
import { useState } from 'preact/hooks';
import { ApiError, call, type FieldError } from '../api.js';
import { useApp } from '../app-context.js';
import { ErrorNote } from '../common.js';
import { isAdmin, type RegistryDocument } from '../model.js';
import { registryHref } from '../routes.js';
import { FieldMessages, messagesAt } from '../schema-fields.js';

const FIELDS = [
  ['slug', 'Registry slug', '/slug'],
  ['display_name', 'Registry display name', '/display_name'],
  ['description', 'Registry description', '/description'],
] as const;

type Values = Record<(typeof FIELDS)[number][0], string>;

export const NewRegistry = () => {
  const { session } = useApp();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Values>({ slug: '', display_name: '', description: '' });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  if (!isAdmin(session)) return null;
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setErrors([]);
    try {
      const { data } = await call<RegistryDocument>('/api/registries', {
        method: 'POST',
        body: {
          slug: values.slug.trim(),
          ...(values.display_name === '' ? {} : { display_name: values.display_name }),
          ...(values.description === '' ? {} : { description: values.description }),
        },
      });
      location.hash = registryHref(data.slug);
    } catch (failure) {
      if (failure instanceof ApiError) setErrors(failure.problem.errors ?? []);
      setError(failure);
    }
  };
  return (
    <>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        New registry
      </button>
      {open && (
        <form class="confirm" onSubmit={create} aria-label="New registry">
          {session.registries !== undefined && <p class="hint">Your token may create only these registries: {session.registries.join(', ')}.</p>}
          {FIELDS.map(([name, label, pointer]) => {
            const messages = messagesAt(errors, pointer);
            const id = `registry-${name.replace('_', '-')}`;
            return (
              <div class="field" key={name}>
                <label for={id}>{label}</label>
                <input
                  id={id}
                  type="text"
                  required={name === 'slug'}
                  value={values[name]}
                  aria-describedby={messages.length > 0 ? `${id}-errors` : undefined}
                  onInput={(event) => setValues({ ...values, [name]: event.currentTarget.value })}
                />
                <FieldMessages id={`${id}-errors`} messages={messages} />
              </div>
            );
          })}
          <button type="submit" class="primary">
            Create registry
          </button>
          <ErrorNote error={error} />
        </form>
      )}
    </>
  );
};
