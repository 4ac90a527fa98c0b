// The shapes of the API's answers the console reads (API.md).

export type Role = 'reader' | 'runtime' | 'editor' | 'admin';

export interface Session {
  name: string | null;
  role: Role;
  registries?: string[];
}

export const canEdit = (session: Session): boolean => session.role === 'editor' || session.role === 'admin';
export const isAdmin = (session: Session): boolean => session.role === 'admin';

export interface Middleware {
  name: string;
  id?: string;
  enabled?: boolean;
  config?: unknown;
}

export interface Runtime {
  step_settings_patch?: Record<string, unknown>;
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

export interface RegistrySummary {
  slug: string;
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
  profile_count: number;
  version: number;
  updated_at_ms: number;
}

export interface RegistryDocument {
  slug: string;
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
  profiles: Record<string, ProfileDocument>;
  metadata: { version: number; updated_at_ms?: number; updated_by?: string };
}

export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

export interface HistoryEntry {
  version: number;
  type: string;
  actor: string;
  source: string;
  at_ms: number;
  fingerprint?: string;
  changes: PatchOp[];
}

export interface RegistryEvent {
  position: number;
  registry: string;
  version: number;
  type: string;
  profile?: string;
  actor: string;
  source: string;
  at_ms: number;
}

export interface Resolved {
  registry: string;
  profile: string;
  profile_version: number;
  runtime: Runtime;
  fingerprint: string;
  stack_lineage: { registry_slug: string; profile_slug: string; version: number }[];
  signature?: unknown;
  signature_valid?: boolean;
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

export interface FeedChange {
  position: number;
  registry: string;
  profile?: string;
  type: string;
  /** Absent on `stack.changed`: a change outside the token's registries that moved its profiles. */
  version?: number;
}
