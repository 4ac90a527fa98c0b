// Small pieces every page uses.
import type { ComponentChildren } from 'preact';
import { ProblemError, UnreachableError } from './client.js';

export const when = (ms: number | undefined): string => (ms === undefined ? '—' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const ErrorNote = ({ error }: { error: unknown }) =>
  error === undefined || error === null ? null : (
    <p class="error" role="alert">
      {error instanceof ProblemError ? `${error.status}: ` : ''}
      {error instanceof UnreachableError ? 'The server cannot be reached.' : messageOf(error)}
    </p>
  );

export const Tabs = ({ tabs, current, hrefOf }: { tabs: [string, string][]; current: string; hrefOf: (id: string) => string }) => (
  <nav class="tabs" aria-label="Sections">
    {tabs.map(([id, label]) => (
      <a key={id} href={hrefOf(id)} aria-current={id === current ? 'page' : undefined}>
        {label}
      </a>
    ))}
  </nav>
);

export const Json = ({ value, label }: { value: unknown; label: string }) => (
  <pre class="json" aria-label={label} tabIndex={0}>
    {JSON.stringify(value, null, 2)}
  </pre>
);

export const Section = ({ title, children }: { title: string; children: ComponentChildren }) => (
  <section>
    <h2>{title}</h2>
    {children}
  </section>
);

/** A table's column headings. */
export const ColumnHeads = ({ names }: { names: ComponentChildren[] }) => (
  <thead>
    <tr>
      {names.map((name, index) => (
        <th scope="col" key={index}>
          {name}
        </th>
      ))}
    </tr>
  </thead>
);
