import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Test data written for this project (test/fixtures/, described in its README.md). */
export const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export const readFixture = (name: string): string => readFileSync(fixturePath(name), 'utf8');

/** The one fake credential of the fixtures (in legacy-profiles.yaml): it must never reach logs or error bodies. */
export const FAKE_KEY = /sk-test-not-a-real-key-[\w-]+/.exec(readFixture('legacy-profiles.yaml'))![0];
