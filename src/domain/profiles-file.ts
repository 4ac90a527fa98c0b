import { detectInputFormat, emptyInput, invalidInput, type DetectedInput, type InputFormat } from './input-format.js';
import { legacyMapToBundle } from './legacy-profiles.js';
import { importBundle } from './read-registry-bundle.js';
import type { RegistryContent } from './registry-bundle.js';

export interface ProfilesFile {
  format: InputFormat;
  registries: RegistryContent[];
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

/** A profiles file's text (YAML or JSON) as its format and normalized registries. */
export const readProfilesFile = (text: string, registry: string): ProfilesFile => {
  const detected = detectInputFormat(text);
  return { format: detected.format, registries: registriesOf(detected, registry) };
};
