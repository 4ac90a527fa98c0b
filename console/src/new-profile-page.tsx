// Creating a profile: its slug and first fields; the rest is edited afterwards.
import { useState } from 'preact/hooks';
import { api, ProblemError, type FieldError } from './client.js';
import { useApp } from './app-context.js';
import { ErrorNote } from './common.js';
import { canEdit } from './model.js';
import { profileHref, registryHref } from './routes.js';
import { FieldMessages, messagesAt } from './schema-fields.js';

const FIELDS = [
  ['slug', 'Slug', '/slug'],
  ['display_name', 'Display name', '/display_name'],
  ['description', 'Description', '/description'],
  ['system_prompt', 'System prompt', '/runtime/system_prompt'],
  ['tags', 'Tags (separated by commas)', '/metadata/tags'],
] as const;

type Values = Record<(typeof FIELDS)[number][0], string>;

export const NewProfilePage = ({ registry }: { registry: string }) => {
  const { session } = useApp();
  const [values, setValues] = useState<Values>({ slug: '', display_name: '', description: '', system_prompt: '', tags: '' });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  if (!canEdit(session)) return <p>Your token may not create profiles.</p>;
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setErrors([]);
    const tags = values.tags.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
    try {
      const data = await api.createProfile({
          registry,
          slug: values.slug,
          ...(values.display_name === '' ? {} : { display_name: values.display_name }),
          ...(values.description === '' ? {} : { description: values.description }),
          ...(values.system_prompt === '' ? {} : { runtime: { system_prompt: values.system_prompt } }),
          ...(tags.length === 0 ? {} : { metadata: { tags } }),
      });
      location.hash = profileHref(data.registry, data.slug);
    } catch (failure) {
      if (failure instanceof ProblemError) setErrors(failure.problem.errors ?? []);
      setError(failure);
    }
  };
  return (
    <>
      <p class="crumbs">
        <a href="#/">Registries</a> / <a href={registryHref(registry)}>{registry}</a> / new profile
      </p>
      <h1>New profile in {registry}</h1>
      <form class="editor" onSubmit={create}>
        {FIELDS.map(([name, label, pointer]) => {
          const messages = messagesAt(errors, pointer);
          const id = `new-${name.replace('_', '-')}`;
          const props = {
            id,
            value: values[name],
            required: name === 'slug',
            'aria-describedby': messages.length > 0 ? `${id}-errors` : undefined,
            onInput: (event: Event) => setValues({ ...values, [name]: (event.currentTarget as HTMLInputElement).value }),
          };
          return (
            <div class="field" key={name}>
              <label for={id}>{label}</label>
              {name === 'system_prompt' ? <textarea rows={4} {...props} /> : <input type="text" {...props} />}
              <FieldMessages id={`${id}-errors`} messages={messages} />
            </div>
          );
        })}
        <button type="submit" class="primary">
          Create profile
        </button>
        <ErrorNote error={error} />
      </form>
    </>
  );
};
