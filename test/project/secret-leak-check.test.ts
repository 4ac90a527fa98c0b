import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_KEY } from '../support/fixtures.js';
import { searchTranscript } from '../support/secret-leak-check.js';
import { TEST_SECRET } from '../support/transcript.js';

describe("the whole run's secret leak check", () => {
  const dirs: string[] = [];
  const transcript = (entries: object[]): string => {
    const dir = mkdtempSync(join(tmpdir(), 'transcript-test-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'part.jsonl'), entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('knows every secret the tests store', () => {
    expect(TEST_SECRET.test(FAKE_KEY)).toBe(true);
    for (const secret of ['sk-test-secret-key-0001', 'pw-test-secret-0003', 'tok-test-secret-0004', 'the-old-signing-secret-2025']) {
      expect(TEST_SECRET.test(secret)).toBe(true);
    }
    expect(TEST_SECRET.test('{"openai-api-key":"***","max_tokens":512}')).toBe(false);
  });

  it('searches an answer of a megabyte of letters in one pass, and still finds a secret at its end', () => {
    const run = 'x'.repeat(1 << 20);
    const dir = transcript([
      { source: 'answer', where: 'GET /bytes/1048576 200', text: `{"pad":"${run}"}` },
      { source: 'log', where: 'server log', text: `${run} the-old-signing-secret-2025` },
    ]);
    const { leaks } = searchTranscript(dir);
    expect(leaks).toEqual([expect.stringContaining('log of server log shows the secret the-old-signing-secret-2025')]);
  }, 10_000);

  it('names each answer, feed message, CLI output or log line that shows one', () => {
    const dir = transcript([
      { source: 'answer', where: 'GET /api/chat/profiles/chat 200', text: '{"openai-api-key":"***"}' },
      { source: 'log', where: 'server log', text: `{"msg":"imported","key":"${FAKE_KEY}"}` },
      { source: 'feed', where: 'http://127.0.0.1/watch', text: '{"type":"profile_updated"}' },
    ]);
    const { counts, leaks } = searchTranscript(dir);
    expect(counts).toEqual({ answer: 1, log: 1, feed: 1 });
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toContain(`log of server log shows the secret ${FAKE_KEY}`);
  });

  it('also searches for the secrets a store made (a fingerprint key), which no pattern knows', () => {
    const key = 'a'.repeat(16) + '0123456789abcdef'.repeat(3);
    const dir = transcript([
      { source: 'secret', where: 'fingerprint key of a test store', text: key },
      { source: 'answer', where: 'GET /api/chat/profiles/chat 200', text: `{"fingerprint":"sha256:${'b'.repeat(64)}"}` },
      { source: 'log', where: 'server log', text: `{"msg":"opened","key":"${key}"}` },
    ]);
    const { counts, leaks } = searchTranscript(dir);
    expect(counts).toEqual({ answer: 1, log: 1 });
    expect(leaks).toEqual([expect.stringContaining(`log of server log shows the secret ${key}`)]);
  });
});
