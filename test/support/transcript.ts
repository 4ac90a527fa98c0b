import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { SECRETS_REVEALED_HEADER } from '../../src/http/revealed-secrets.js';

/**
 * What the tests' callers saw in the whole run: every answer of an app or server (unless it says
 * it reveals secrets, as an admin's `?reveal=secrets` or a runtime's resolve do), every change-feed
 * message, the output of every CLI run without `--include-secrets`, and the server logs. Each test
 * file writes its part when it ends; the global teardown searches it all for the tests' secrets
 * (see secret-leak-check.ts).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    transcriptDir: string;
  }
}

/**
 * Every secret value the tests store follows this pattern (test/fixtures and the security tests).
 * The second form starts only where a word starts (the lookbehind): an unanchored `[\w-]*` would be
 * tried from every character of a long word and take time quadratic in its length (a 1 MiB answer
 * of letters took minutes).
 */
export const TEST_SECRET = /sk-test-[\w-]+|(?<![\w-])[\w-]*(?:test|signing)-secret[\w-]*/;

/** `secret`: a secret the tests did not write but a store made (its fingerprint key), searched for like TEST_SECRET. */
export type TranscriptSource = 'answer' | 'feed' | 'cli' | 'log' | 'secret';

const entries: string[] = [];

export const recordSeen = (source: TranscriptSource, where: string, text: string): void => {
  if (text !== '') entries.push(JSON.stringify({ source, where, text }));
};

/** Tells the run's leak check about a secret a store made (no test wrote it, so TEST_SECRET cannot know it). */
export const recordMadeSecret = (where: string, secret: string): void => recordSeen('secret', where, secret);

/** Records every answer the app sends from now on (call before `ready`). */
export const recordAnswers = (app: FastifyInstance): void => {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.getHeader(SECRETS_REVEALED_HEADER) === undefined && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      recordSeen('answer', `${request.method} ${request.url} ${reply.statusCode}`, payload.toString());
    }
    return payload;
  });
};

/** A log stream that records each line and passes it on to the test's own stream, if any. */
export const recordedLogStream = (own?: { write(line: string): void }): { write(line: string): void } => ({
  write: (line) => {
    recordSeen('log', 'server log', line);
    own?.write(line);
  },
});

/** Records the body of every fetch answer that is not an event stream and does not reveal secrets. */
export const recordFetchAnswers = (): void => {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const type = response.headers.get('content-type') ?? '';
    if (response.headers.get(SECRETS_REVEALED_HEADER) === null && !type.startsWith('text/event-stream')) {
      const where = `${init?.method ?? 'GET'} ${input instanceof Request ? input.url : String(input)} ${response.status}`;
      response
        .clone()
        .text()
        .then((text) => recordSeen('answer', where, text))
        .catch(() => undefined);
    }
    return response;
  };
};

/** Writes this test file's part of the transcript (a setup file calls it after each file). */
export const writeTranscriptPart = (testFile: string): void => {
  if (entries.length === 0) return;
  const dir = inject('transcriptDir');
  mkdirSync(dir, { recursive: true });
  const name = `${process.pid}-${Date.now()}-${testFile.replace(/[^\w.-]+/g, '_').slice(-80)}.jsonl`;
  writeFileSync(join(dir, name), entries.join('\n') + '\n');
  entries.length = 0;
};
