import { describe, expect, it } from 'vitest';
import { detectInputFormat } from '../../src/domain/input-format.js';

describe('YAML aliases', () => {
  it('reads a file that reuses a map through an anchor', () => {
    const detected = detectInputFormat('base: &base {ai-chat: {ai-engine: gpt-4o}}\nagent: *base\n');
    expect(detected.format).toBe('legacy-map');
    expect(detected.value?.agent).toEqual({ 'ai-chat': { 'ai-engine': 'gpt-4o' } });
  });

  it('refuses a billion-laughs file instead of expanding it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level <= 9; level++) {
      const previous = `*a${level - 1}`;
      lines.push(`a${level}: &a${level} [${Array.from({ length: 10 }, () => previous).join(', ')}]`);
    }
    const detected = detectInputFormat(lines.join('\n'));
    expect(detected).toMatchObject({ format: 'invalid', reason: 'the document expands to too many nodes (aliases)' });
  });
});
