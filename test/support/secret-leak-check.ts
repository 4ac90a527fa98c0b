import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { TEST_SECRET } from './transcript.js';

interface Seen {
  source: string;
  where: string;
  text: string;
}

export interface TranscriptSearch {
  /** How many entries of each source were searched. */
  counts: Record<string, number>;
  /** One line per entry that shows a secret. */
  leaks: string[];
}

/** Searches every transcript part in `dir` for the tests' secrets. */
export const searchTranscript = (dir: string): TranscriptSearch => {
  const counts: Record<string, number> = {};
  const leaks: string[] = [];
  const seen: { file: string; entry: Seen }[] = [];
  const made = new Set<string>();
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const entry = JSON.parse(line) as Seen;
      if (entry.source === 'secret') made.add(entry.text);
      else seen.push({ file, entry });
    }
  }
  for (const { file, entry } of seen) {
    counts[entry.source] = (counts[entry.source] ?? 0) + 1;
    const secret = TEST_SECRET.exec(entry.text)?.[0] ?? [...made].find((each) => entry.text.includes(each));
    if (secret) leaks.push(`${file}: ${entry.source} of ${entry.where} shows the secret ${secret}`);
  }
  return { counts, leaks };
};

/**
 * Vitest global setup: gives the test files a folder for their transcripts (transcript.ts) and,
 * once every file ran, searches all of it for the tests' secrets. One leak anywhere in the run
 * (an answer, a feed message, a CLI output, a log line) fails it.
 */
export default function secretLeakCheck(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'profile-registry-transcript-'));
  project.provide('transcriptDir', dir);
  return () => {
    const { counts, leaks } = searchTranscript(dir);
    rmSync(dir, { recursive: true, force: true });
    if (leaks.length > 0) {
      process.exitCode = 1; // an error thrown in a global teardown is printed, but does not fail the run by itself
      throw new Error(`secrets leaked in ${leaks.length} places of this run:\n${leaks.slice(0, 20).join('\n')}`);
    }
    const searched = Object.entries(counts).map(([source, count]) => `${count} ${source}`).join(', ') || 'nothing';
    console.log(`secret leak check: searched ${searched} of the whole run, no secret shown`);
  };
}
