import { afterAll, expect } from 'vitest';
import { recordFetchAnswers, writeTranscriptPart } from './transcript.js';

// a setup file: every test file records what its callers saw (see transcript.ts)
recordFetchAnswers();
afterAll(() => writeTranscriptPart(expect.getState().testPath ?? 'unknown'));
