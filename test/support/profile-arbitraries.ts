import fc from 'fast-check';
import type { Middleware, ProfileContent, Runtime, StackRef } from '../../src/domain/profile.js';
import type { ProfileSignature } from '../../src/domain/profile-signature.js';
import type { ChangeStamp, ProfileState, RegistryState } from '../../src/events/registry-state.js';

/**
 * fast-check arbitraries shaped like real profiles and registries: slugs as the API accepts them,
 * runtimes with step settings, prompts and middlewares with configs, extensions, stack refs,
 * stamps and signatures, and strings with quotes, backslashes, control characters and non-ASCII.
 */

export const slugArb = fc.stringMatching(/^[a-z0-9](?:[a-z0-9._-]{0,14}[a-z0-9])?$/);

/** Text that needs escaping in JSON, or is outside ASCII. */
const trickyText = fc.constantFrom('"', '\\', '\n', '\t', '\u0000', '\u001f', '\u2028', '\u2029', '</script>', 'é', '日本', '😀', "'", '\\u0041');

/** Strings of well-formed Unicode (what a database's text column stores unchanged). */
export const textArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.array(fc.oneof(trickyText, fc.string({ maxLength: 3 })), { maxLength: 6 }).map((parts) => parts.join('')),
);

/** Any JSON value with keys and strings from textArb (no -0, which JSON cannot hold). */
export const jsonArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
    textArb,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(textArb, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const middlewareArb: fc.Arbitrary<Middleware> = fc.record(
  { name: textArb, id: textArb, enabled: fc.boolean(), config: jsonArb },
  { requiredKeys: ['name', 'enabled'] },
);

const runtimeArb: fc.Arbitrary<Runtime> = fc.record(
  {
    step_settings_patch: fc.dictionary(
      fc.constantFrom('ai-chat', 'openai-chat', 'claude-chat', 'weird "section"'),
      fc.dictionary(textArb, jsonArb, { maxKeys: 3 }),
      { maxKeys: 3 },
    ),
    system_prompt: textArb,
    middlewares: fc.array(middlewareArb, { maxLength: 3 }),
    tools: fc.array(textArb, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

const stackRefArb: fc.Arbitrary<StackRef> = fc.record({ registry_slug: slugArb, profile_slug: slugArb }, { requiredKeys: ['profile_slug'] });

const extensionKeyArb = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/), fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/), fc.integer({ min: 1, max: 99 }))
  .map(([namespace, name, version]) => `${namespace}.${name}@v${version}`);

export const contentArb = (slug: fc.Arbitrary<string> = slugArb): fc.Arbitrary<ProfileContent> =>
  fc.record(
    {
      slug,
      display_name: textArb,
      description: textArb,
      runtime: runtimeArb,
      policy: fc.record({
        allow_overrides: fc.boolean(),
        allowed_override_keys: fc.array(textArb, { maxLength: 3 }),
        denied_override_keys: fc.array(textArb, { maxLength: 3 }),
        read_only: fc.boolean(),
      }),
      extensions: fc.dictionary(extensionKeyArb, jsonArb, { maxKeys: 3 }),
      stack: fc.array(stackRefArb, { maxLength: 3 }),
      tags: fc.array(textArb, { maxLength: 3 }),
    },
    { requiredKeys: ['slug', 'runtime', 'policy', 'extensions', 'stack', 'tags'] },
  );

const timeArb = fc.integer({ min: 0, max: 4_102_444_800_000 });

export const stampArb: fc.Arbitrary<ChangeStamp> = fc.record({
  created_at_ms: timeArb,
  updated_at_ms: timeArb,
  created_by: textArb,
  updated_by: textArb,
  source: fc.constantFrom('api', 'import', 'cli', 'migrate'),
});

const signatureArb: fc.Arbitrary<ProfileSignature> = fc.record({
  algorithm: fc.constant('hmac-sha256'),
  key_id: textArb,
  version: fc.integer({ min: 1, max: 1000 }),
  signed_at: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  signed_by: textArb,
  value: fc.stringMatching(/^[0-9a-f]{64}$/),
});

export const profileStateArb = (slug: fc.Arbitrary<string> = slugArb): fc.Arbitrary<ProfileState> =>
  fc.record(
    { content: contentArb(slug), version: fc.integer({ min: 1, max: 100_000 }), stamp: stampArb, signature: signatureArb },
    { requiredKeys: ['content', 'version', 'stamp'] },
  );

/** A registry of profiles keyed by their slugs (`slug` chooses them: say, slugs that are not array indices). */
export const registryStateArb = (slug: fc.Arbitrary<string> = slugArb): fc.Arbitrary<RegistryState> =>
  fc
    .record(
      {
        slug: slugArb,
        live: fc.boolean(),
        display_name: textArb,
        description: textArb,
        default_profile_slug: slug,
        unknown_middlewares: fc.constant('refuse' as const),
        unknown_extensions: fc.constant('refuse' as const),
        version: fc.integer({ min: 1, max: 1_000_000 }),
        stamp: stampArb,
        profiles: fc.uniqueArray(profileStateArb(slug), { maxLength: 6, selector: (profile) => profile.content.slug }),
        tombstones: fc.uniqueArray(fc.tuple(slug, fc.integer({ min: 1, max: 1000 })), { maxLength: 4, selector: ([each]) => each }),
      },
      { requiredKeys: ['slug', 'live', 'version', 'stamp', 'profiles', 'tombstones'] },
    )
    .map(({ profiles, tombstones, ...fields }) => ({
      ...fields,
      profiles: new Map(profiles.map((profile) => [profile.content.slug, profile])),
      tombstones: new Map(tombstones),
    }));

/** Whether JavaScript moves this key to the front of an object, before keys set earlier: an array index such as "10". */
export const isArrayIndex = (key: string): boolean => /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;

/** A slug that is no array index (so an object keeps it where it was put). */
export const nonIndexSlugArb = slugArb.filter((slug) => !isArrayIndex(slug));

/** An object key that is no array index. */
export const nonIndexKeyArb = textArb.filter((key) => !isArrayIndex(key));
