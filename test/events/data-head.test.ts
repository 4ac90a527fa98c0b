import { describe, expect, it } from 'vitest';
import { dataHeadOf } from '../../src/events/sql/read-latest-content.js';

describe('dataHeadOf: the profile and version a content event names, from its stored text', () => {
  it('takes them from the head of the data as the writers lay it out', () => {
    const data = { profile: 'planner-us-00001', version: 789, content: { slug: 'planner-us-00001', runtime: { system_prompt: 'x'.repeat(4000) } } };
    expect(dataHeadOf(JSON.stringify(data))).toEqual({ head_profile: 'planner-us-00001', head_version: 789 });
  });

  it('reads an escaped slug as JSON does', () => {
    expect(dataHeadOf(JSON.stringify({ profile: 'a"b\\c\u00e9', version: 2 }))).toEqual({ head_profile: 'a"b\\c\u00e9', head_version: 2 });
  });

  it('parses any other layout whole: other key orders, spaces, a version that is not a plain integer', () => {
    expect(dataHeadOf('{"version":3,"content":{},"profile":"p"}')).toEqual({ head_profile: 'p', head_version: 3 });
    expect(dataHeadOf('{ "profile": "p", "version": 4 }')).toEqual({ head_profile: 'p', head_version: 4 });
    expect(dataHeadOf('{"profile":"p","version":5e0}')).toEqual({ head_profile: 'p', head_version: 5 });
    expect(dataHeadOf('{"content":{}}')).toEqual({ head_profile: null, head_version: null });
  });
});
