import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Instruction counts of parts of a run under callgrind, which the machine's load does not change:
 * run `valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --callgrind-out-file=FILE
 * node ...` and give FILE here. `count` instruments only while `fn` runs, dumps that part to
 * FILE.n-<thread> and reads back the main thread's count (the JavaScript, and the garbage
 * collection it waits for) and all threads' (with the compiler's and the collector's background
 * threads, whose work falls into whichever part runs when they do). callgrind_control talks to the
 * valgrind this process runs in.
 */
export const callgrindCounter = (outFile: string) => {
  let dumps = 0;
  const control = (option: string) => {
    const result = spawnSync('callgrind_control', [option, String(process.pid)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`callgrind_control ${option} failed (is this process run by valgrind --tool=callgrind?): ${result.stderr}`);
  };
  return async <T>(fn: () => Promise<T>): Promise<[T, { main: number; all: number }]> => {
    control('--zero');
    control('--instr=on');
    const result = await fn();
    control('--instr=off');
    control('--dump');
    dumps += 1;
    const prefix = `${basename(outFile)}.${dumps}-`;
    const counts = readdirSync(dirname(outFile))
      .filter((name) => name.startsWith(prefix))
      .map((name) => {
        const totals = /^totals: (\d+)$/m.exec(readFileSync(join(dirname(outFile), name), 'utf8'));
        if (!totals) throw new Error(`no totals in ${name}`);
        return { thread: name.slice(prefix.length), count: Number(totals[1]) };
      });
    const main = counts.find((entry) => entry.thread === '01');
    if (!main) throw new Error(`no dump ${prefix}01 (run valgrind with --separate-threads=yes)`);
    return [result, { main: main.count, all: counts.reduce((sum, entry) => sum + entry.count, 0) }];
  };
};
