import { describe, expect, it } from 'vitest';
import { contentJson, eventDataJson } from '../../src/domain/content-json.js';
import { applyProfileFields, newProfileContent, type ProfileFieldsInput } from '../../src/domain/profile.js';
import { roleProfiles } from '../support/role-profiles.js';

const contents = () => roleProfiles().map((role) => newProfileContent(role.slug, role as ProfileFieldsInput));

describe('content JSON from cached parts', () => {
  it('is byte for byte what JSON.stringify writes, for every role profile', () => {
    for (const content of contents()) expect(contentJson(content)).toBe(JSON.stringify(content));
  });

  it('follows an edit: a new version shares unchanged parts and shows the changed one', () => {
    const [first] = contents();
    const before = contentJson(first!);
    const edited = applyProfileFields(first!, { description: 'edited', runtime: { system_prompt: 'new prompt' } });
    expect(edited.policy).toBe(first!.policy);
    expect(contentJson(edited)).toBe(JSON.stringify(edited));
    expect(contentJson(first!)).toBe(before);
  });

  it('writes event data as JSON.stringify does, with or without content', () => {
    const [content] = contents();
    const profileEvent = { profile: content!.slug, version: 3, content };
    expect(eventDataJson(profileEvent)).toBe(JSON.stringify(profileEvent));
    const registryEvent = { slug: 'staff', display_name: undefined, description: 'roles' };
    expect(eventDataJson(registryEvent)).toBe(JSON.stringify(registryEvent));
  });
});
