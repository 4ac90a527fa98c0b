import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../src/http/request-ids.js';

describe('request ids', () => {
  it("have nanoid(12)'s form and do not repeat, across many refills of the pool", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = newRequestId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(100_000);
  });

  it('use all 64 characters, each about as often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) for (const char of newRequestId()) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(64);
    // 240,000 characters: 3,750 each expected
    for (const count of counts.values()) expect(Math.abs(count - 3750)).toBeLessThan(400);
  });
});
