import { emptyInput, invalidInput } from './errors.js';
import { detectInputFormat, type DetectedInput, type InputFormat } from './input-format.js';
import { legacyMapToBundle } from './legacy-profiles.js';
import { importBundle } from './read-registry-bundle.js';
import type { RegistryContent } from './registry-bundle.js';
import { bundleSchemasOf } from './read-bundle-schemas.js';
import type { BundleSchemas } from './schema-documents.js';

export interface ProfilesFile {
  format: InputFormat;
  registries: RegistryContent[];
  /** A bundle's `schemas:` section, when it has one. */
  schemas?: BundleSchemas;
}

/**
 * The normalized registries of a detected profiles file (a bundle, a single registry, or a legacy
 * map). `registry` names the registry of a legacy map, or of a single registry without a slug.
 * Empty or unparsable input is refused.
 */
export const registriesOf = (detected: DetectedInput, registry: string): RegistryContent[] => {
  switch (detected.format) {
    case 'empty':
      throw emptyInput();
    case 'invalid':
      throw invalidInput(detected.reason);
    case 'canonical-registries':
      return importBundle(detected.value);
    case 'single-registry': {
      const value = detected.value as Record<string, unknown>;
      const key = typeof value.slug === 'string' ? value.slug : registry;
      return importBundle({ registries: { [key]: value } });
    }
    case 'legacy-map':
      return importBundle(legacyMapToBundle(detected.value ?? {}, registry));
  }
};

/** The schemas section of a bundle (only a `registries:` bundle has one). */
export const schemasOf = (detected: DetectedInput): BundleSchemas | undefined =>
  detected.format === 'canonical-registries' ? bundleSchemasOf(detected.value) : undefined;

/** A profiles file's text (YAML or JSON) as its format and normalized registries. */
export const readProfilesFile = (text: string, registry: string): ProfilesFile => {
  const detected = detectInputFormat(text);
  return { format: detected.format, registries: registriesOf(detected, registry), schemas: schemasOf(detected) };
};
