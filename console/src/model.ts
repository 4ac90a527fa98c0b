// The shapes of the API's answers the console reads: the typed client's (profile-registry/client),
// and for profiles and schemas the deeper view the forms need (runtime, policy, JSON Schema).
import type { Change, EventsPage, ProfileHistory, Session } from '../../src/client/index.js';

export type { EventCause, Resolved, RegistryDocument, RegistrySummary, Session, StackTraceEntry } from '../../src/client/index.js';

export const canEdit = (session: Session): boolean => session.role === 'editor' || session.role === 'admin';
export const isAdmin = (session: Session): boolean => session.role === 'admin';

export interface Middleware {
  name: string;
  id?: string;
  enabled?: boolean;
  config?: unknown;
}

export interface Runtime {
  step_settings_patch?: Record<string, Record<string, unknown>>;
  system_prompt?: string;
  middlewares?: Middleware[];
  tools?: string[];
}

export interface Policy {
  allow_overrides?: boolean;
  allowed_override_keys?: string[];
  denied_override_keys?: string[];
  read_only?: boolean;
}

export interface ProfileDocument {
  registry: string;
  slug: string;
  display_name?: string;
  description?: string;
  runtime?: Runtime;
  policy?: Policy;
  metadata: {
    version: number;
    created_at_ms?: number;
    updated_at_ms?: number;
    created_by?: string;
    updated_by?: string;
    source?: string;
    tags?: string[];
  };
  extensions?: Record<string, unknown>;
  stack?: { registry_slug?: string; profile_slug: string }[];
  is_default?: boolean;
  fingerprint?: string;
  signature?: { version: number; key_id: string; signed_at: string; signed_by: string };
  signature_valid?: boolean;
}



export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}






export interface MiddlewareSchema {
  name: string;
  version: number;
  display_name?: string;
  description?: string;
  schema: JsonSchema;
}

export interface ExtensionSchema {
  key: string;
  schema: JsonSchema;
}

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
}

/** One version of a profile's history. */
export type HistoryEntry = ProfileHistory['versions'][number];
/** One event of a registry's history. */
export type RegistryEvent = EventsPage['events'][number];
/** One frame of the change feed (`stack.changed` when a layer elsewhere moved these profiles). */
export type FeedChange = Change;
