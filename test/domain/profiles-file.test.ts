import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DomainError } from '../../src/domain/errors.js';
import { detectInputFormat } from '../../src/domain/input-format.js';
import { readProfilesFile } from '../../src/domain/profiles-file.js';
import { bundleYaml, registryBundle } from '../../src/domain/write-registry-bundle.js';
import { FAKE_KEY, readFixture as fixture } from '../support/fixtures.js';
import { readRegistryBundle } from '../support/registry-bundle.js';


const refusal = (text: string): DomainError => {
  try {
    readProfilesFile(text, 'default');
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('profiles file format detection', () => {
  it.each([
    ['', 'empty'],
    ['# only a comment\n', 'empty'],
    [fixture('registry-bundle.yaml'), 'canonical-registries'],
    ['slug: team\nprofiles: {}\n', 'single-registry'],
    ['default_profile_slug: a\n', 'single-registry'],
    ['a: [1, 2\n', 'invalid'],
    ['- just\n- a list\n', 'invalid'],
    [fixture('legacy-profiles.yaml'), 'legacy-map'],
    ['{"registries": {}}', 'canonical-registries'],
  ])('detects %j as %s', (text, format) => {
    expect(detectInputFormat(text).format).toBe(format);
  });
});

describe('legacy profiles.yaml conversion', () => {
  it('turns the map of the issue into registry default with both patches and default profile default', () => {
    const text = 'default: {ai-chat: {ai-engine: gpt-4o-mini}}\nagent: {ai-chat: {ai-engine: gpt-4.1}}\n';
    const { format, registries } = readProfilesFile(text, 'default');
    expect(format).toBe('legacy-map');
    expect(registries).toHaveLength(1);
    const [registry] = registries;
    expect(registry.slug).toBe('default');
    expect(registry.default_profile_slug).toBe('default');
    expect(Object.keys(registry.profiles)).toEqual(['agent', 'default']);
    expect(registry.profiles.default.runtime).toEqual({ step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o-mini' } } });
    expect(registry.profiles.agent.runtime).toEqual({ step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4.1' } } });
  });

  it('keeps every value of the legacy fixture unchanged as step_settings_patch (lists, maps, a 0 temperature)', () => {
    const legacy = parseYaml(fixture('legacy-profiles.yaml')) as Record<string, Record<string, Record<string, unknown>>>;
    const [registry] = readProfilesFile(fixture('legacy-profiles.yaml'), 'default').registries;
    expect(Object.keys(registry.profiles).sort()).toEqual(Object.keys(legacy).sort());
    expect(registry.default_profile_slug).toBe('default');
    for (const [slug, sections] of Object.entries(legacy)) {
      expect(registry.profiles[slug].runtime.step_settings_patch).toEqual(sections);
    }
    expect(registry.profiles.deterministic.runtime.step_settings_patch?.['ai-chat']['ai-temperature']).toBe(0);
    expect(registry.profiles.planner.runtime.step_settings_patch?.['ai-chat']['ai-stop']).toEqual(['<|end_plan|>', '\nStep 99:']);
    expect(registry.profiles['invoice-json'].runtime.step_settings_patch?.['openai-chat']['openai-logit-bias']).toEqual({ '198': '-50', '1734': '20' });
  });

  it('makes the first slug the default when there is no profile named default', () => {
    const [registry] = readProfilesFile('zeta: {ai-chat: {}}\nbeta: {ai-chat: {}}\n', 'team').registries;
    expect(registry.slug).toBe('team');
    expect(registry.default_profile_slug).toBe('beta');
  });

  it('refuses a bad slug key naming it, and a value that is not a map of sections', () => {
    expect(refusal('good: {ai-chat: {}}\n"Bad Slug!": {ai-chat: {}}\n').message).toBe('invalid legacy profile slug "Bad Slug!"');
    expect(refusal('agent: gpt-4\n').message).toBe('legacy profile "agent" must map to section settings');
    expect(refusal('agent: {ai-chat: gpt-4}\n').message).toBe('legacy profile "agent" must map to section settings');
  });

  it('refuses empty and unparsable input with a message that never quotes the input', () => {
    expect(refusal('').message).toBe('input is empty: no registries or profiles');
    const broken = `default:\n  openai-chat:\n    openai-api-key: ${FAKE_KEY}\n   bad: [\n`;
    const error = refusal(broken);
    expect(error.message).toMatch(/^invalid YAML: /);
    expect(JSON.stringify({ message: error.message, errors: error.errors })).not.toContain(FAKE_KEY);
  });
});

describe('registries bundle', () => {
  it('reads the fixture bundle, normalized like HTTP writes', () => {
    const { registries } = readProfilesFile(fixture('registry-bundle.yaml'), 'default');
    const file = readRegistryBundle().registries;
    expect(registries.map((registry) => [registry.slug, registry.default_profile_slug, Object.keys(registry.profiles).length])).toEqual(
      Object.values(file).map((registry) => [registry.slug, registry.default_profile_slug, Object.keys(registry.profiles).length]),
    );
    const labBase = registries[1].profiles['lab-base'];
    expect(labBase.stack).toEqual([{ registry_slug: 'default', profile_slug: 'house-style' }]);
    expect(labBase.policy).toEqual({ allow_overrides: true, allowed_override_keys: [], denied_override_keys: ['tools'], read_only: false });
    expect(registries[1].profiles['ethics-review'].policy.read_only).toBe(true);
    const thresholds = registries[1].profiles['ethics-review'].extensions?.['lab.review_board@v1'] as { escalation: { max_risk: unknown }[] };
    expect(thresholds.escalation.map((step) => step.max_risk)).toEqual(['minimal', 'moderate', null]);
  });

  it('writes a canonical YAML that reads back to the same registries', () => {
    const { registries } = readProfilesFile(fixture('registry-bundle.yaml'), 'default');
    const yaml = bundleYaml(registryBundle(registries));
    expect(yaml.split('\n')[1]).toBe('    default:');
    const again = readProfilesFile(yaml, 'default').registries;
    expect(again).toEqual(registries);
    expect(bundleYaml(registryBundle(again))).toBe(yaml);
  });

  it('refuses a profile that breaks a rule, naming its path in the bundle', () => {
    const text = 'registries:\n  team:\n    profiles:\n      p:\n        runtime:\n          tools: ["  "]\n';
    expect(refusal(text).message).toBe('validation error (registries.team.profiles.p.runtime.tools[0]): must not be blank');
    expect(refusal('registries:\n  team:\n    profiles:\n      p:\n        colour: red\n').message).toBe(
      'validation error (registries.team.profiles.p.colour): unknown field',
    );
    expect(refusal('registries:\n  team:\n    default_profile_slug: ghost\n    profiles:\n      p: {}\n').message).toBe(
      'validation error (registries.team.default_profile_slug): names no profile of the registry',
    );
    expect(refusal('registries:\n  "Bad Registry": {}\n').message).toBe('validation error (registries.Bad Registry): invalid registry slug');
  });
});
