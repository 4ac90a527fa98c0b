import { afterAll } from 'vitest';
import { killTrackedChildren } from './child-processes.js';

// a setup file: runs in every test file, after its own hooks
afterAll(killTrackedChildren);
