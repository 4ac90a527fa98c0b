import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Instruction counts of parts of a run under callgrind, which the machine's load does not change:
 * run `valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=FILE node ...` and give
 * FILE here. `count` instruments only while `fn` runs, dumps that part to FILE.n and reads its
 * total back (callgrind_control talks to the valgrind this process runs in).
 */
export const callgrindCounter = (outFile: string) => {
  let dumps = 0;
  const control = (option: string) => {
    const result = spawnSync('callgrind_control', [option, String(process.pid)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`callgrind_control ${option} failed (is this process run by valgrind --tool=callgrind?): ${result.stderr}`);
  };
  return async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    control('--zero');
    control('--instr=on');
    const result = await fn();
    control('--instr=off');
    control('--dump');
    dumps += 1;
    const totals = /^totals: (\d+)$/m.exec(readFileSync(`${outFile}.${dumps}`, 'utf8'));
    if (!totals) throw new Error(`no totals in ${outFile}.${dumps}`);
    return [result, Number(totals[1])];
  };
};
