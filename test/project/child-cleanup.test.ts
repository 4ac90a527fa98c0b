import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { killTrackedChildren, spawnTracked } from '../support/child-processes.js';

/** Whether a process runs (a zombie waiting for its parent to read its status does not). */
const running = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

const firstLine = async (stream: Readable): Promise<string> => {
  for await (const line of createInterface({ input: stream })) return line;
  throw new Error('no output');
};

describe('teardown of the processes tests start', () => {
  it('kills a started process and the processes it started', async () => {
    const script = `
      const grandchild = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(grandchild.pid);
      setInterval(() => {}, 1000);`;
    const child = spawnTracked(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const grandchild = Number(await firstLine(child.stdout!));
    expect(running(child.pid!)).toBe(true);
    expect(running(grandchild)).toBe(true);

    killTrackedChildren();
    const deadline = Date.now() + 5000;
    while ((running(child.pid!) || running(grandchild)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect([running(child.pid!), running(grandchild)]).toEqual([false, false]);
  });
});
