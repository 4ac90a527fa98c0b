import type { ProfileContent, ProfileFieldsInput } from '../domain/profile.js';
import type { SigningKey } from '../domain/signing-keys.js';
import type { SchemaDocument, SchemaKind, SchemaPolicies } from '../domain/schema-documents.js';

/** What a client asks for. `expected_version` 0 or absent means no check. */
export type Command =
  | ({ type: 'create_registry'; registry: string; display_name?: string; description?: string } & SchemaPolicies)
  | ({
      type: 'update_registry';
      registry: string;
      display_name?: string | null;
      description?: string | null;
      default_profile_slug?: string | null;
      expected_version?: number;
    } & SchemaPolicies)
  | { type: 'delete_registry'; registry: string; expected_version?: number }
  | { type: 'create_profile'; registry: string; slug: string; fields: ProfileFieldsInput; set_default?: boolean }
  | {
      type: 'update_profile';
      registry: string;
      slug: string;
      fields: ProfileFieldsInput;
      set_default?: boolean;
      expected_version?: number;
    }
  | { type: 'delete_profile'; registry: string; slug: string; expected_version?: number }
  | { type: 'set_default_profile'; registry: string; slug: string; expected_version?: number }
  /** Signs the profile's current version with `key` (the signing key of the server; never stored). */
  | { type: 'publish_profile'; registry: string; slug: string; key: SigningKey; expected_version?: number }
  /** Sets a profile's whole content, creating it again if it was deleted (profile restore). */
  | { type: 'put_profile'; registry: string; slug: string; content: ProfileContent; expected_version?: number }
  /**
   * Makes a registry match `target` (registry restore, import): creates it if needed, then the
   * profile and default changes that lead there. With `prune`, profiles not in `target` are deleted;
   * without it, profiles and registry fields that `target` leaves out are kept.
   */
  | {
      type: 'converge_registry';
      registry: string;
      target: RegistryTarget;
      prune: boolean;
      expected_version?: number;
      /** Where a refused profile content is located in the caller's input (an import: `registries/<r>/profiles`): its errors' JSON pointers start there. */
      errors_under?: string[];
    };

export interface RegistryTarget extends SchemaPolicies {
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
  profiles: Record<string, ProfileContent>;
}

export type CommandType = Command['type'];

/**
 * Changes of the schema stream. `expected_version` is the schema's own version; `force` accepts a
 * change that leaves stored profiles invalid (they are recorded in the event).
 */
export type SchemaCommand =
  | {
      type: 'put_schema';
      kind: SchemaKind;
      name: string;
      document: SchemaDocument;
      expected_version?: number;
      force?: boolean;
      /** `registry/slug` of profiles the same import rewrites (judged by their new content before it). */
      exempt?: string[];
    }
  | { type: 'delete_schema'; kind: SchemaKind; name: string; expected_version?: number; force?: boolean };

/** Whatever the command bus runs. */
export type StoreCommand = Command | SchemaCommand;

export const isSchemaCommand = (command: StoreCommand): command is SchemaCommand =>
  command.type === 'put_schema' || command.type === 'delete_schema';

/** The profile a registry command names (its answer is that profile's document), if it names one. */
export const profileNamedBy = (command: Command): string | undefined => ('slug' in command ? command.slug : undefined);
