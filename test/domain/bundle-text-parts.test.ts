import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { RegistryContent } from '../../src/domain/registry-bundle.js';
import { readProfilesFile } from '../../src/domain/profiles-file.js';
import { redactSecrets, SECRET_AREAS } from '../../src/domain/secrets.js';
import type { BundleSchemas } from '../../src/domain/schema-documents.js';
import { bundleJson, bundleTextParts, bundleYaml, registryBundle, type BundleFormat } from '../../src/domain/write-registry-bundle.js';
import { readFixture as fixture } from '../support/fixtures.js';

const inOrder = async function* (registries: readonly RegistryContent[]) {
  yield* [...registries].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
};

const streamed = async (
  registries: readonly RegistryContent[],
  schemas: BundleSchemas | undefined,
  format: BundleFormat,
  shown?: Parameters<typeof bundleTextParts>[2]['shown'],
): Promise<{ text: string; parts: number }> => {
  let text = '';
  let parts = 0;
  for await (const part of bundleTextParts(inOrder(registries), async () => schemas, { format, shown })) {
    text += part;
    parts += 1;
  }
  return { text, parts };
};

const whole = { yaml: bundleYaml, json: bundleJson };

const { registries: bundled, schemas: noSchemas } = readProfilesFile(fixture('registry-bundle.yaml'), 'default');
const { schemas: catalog } = readProfilesFile(readFileSync(new URL('../../catalog/pinocchio-schemas.yaml', import.meta.url), 'utf8'), 'default');

/** Text an indentation or a line break can trip on: blank lines, leading spaces, trailing spaces, a lone line. */
const awkward: RegistryContent = {
  slug: 'awkward',
  display_name: 'Ünïcode: "quoted" # not a comment',
  profiles: {
    odd: {
      ...bundled[0].profiles[Object.keys(bundled[0].profiles)[0]],
      slug: 'odd',
      description: '  leading spaces\n\n\ttab line\ntrailing spaces   \n',
      runtime: { system_prompt: '\n\nstarts with blank lines\n    indented\n\n\n', step_settings_patch: { 'ai-chat': { 'openai-api-key': 'sk-secret-value' } } },
    },
  },
};

describe('a bundle written a registry at a time', () => {
  it.each(['yaml', 'json'] as const)('is byte for byte the %s of the whole bundle, with and without schemas, one part a registry', async (format) => {
    expect(catalog?.middlewares.length).toBeGreaterThan(0);
    for (const schemas of [noSchemas, catalog]) {
      for (const registries of [bundled, [...bundled, awkward], [awkward], bundled.slice(0, 1)]) {
        const { text, parts } = await streamed(registries, schemas, format);
        expect(text).toBe(whole[format](registryBundle(registries, schemas)));
        expect(parts).toBe(registries.length + 1);
      }
    }
  });

  it.each(['yaml', 'json'] as const)('is the %s of an empty bundle when there are no registries', async (format) => {
    for (const schemas of [undefined, catalog]) {
      expect((await streamed([], schemas, format)).text).toBe(whole[format](registryBundle([], schemas)));
    }
  });

  it('redacts each registry as the whole bundle would be redacted', async () => {
    const shown = (bundle: ReturnType<typeof registryBundle>) => redactSecrets(bundle, SECRET_AREAS.bundle);
    const registries = [...bundled, awkward];
    for (const format of ['yaml', 'json'] as const) {
      const { text } = await streamed(registries, catalog, format, shown);
      expect(text).toBe(whole[format](shown(registryBundle(registries, catalog))));
      expect(text).not.toContain('sk-secret-value');
    }
  });

  it('refuses registries out of slug order (the whole bundle sorts them)', async () => {
    const reversed = async function* () {
      yield* [...bundled].sort((a, b) => (a.slug < b.slug ? 1 : -1));
    };
    const drain = async () => {
      for await (const part of bundleTextParts(reversed(), async () => undefined, { format: 'yaml' })) expect(part).toBeTypeOf('string');
    };
    expect(bundled.length).toBeGreaterThan(1);
    await expect(drain()).rejects.toThrow('out of slug order');
  });
});
