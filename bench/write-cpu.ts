import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { callgrindCounter } from './lib/callgrind-rounds.js';
import { generatePatches, generateProfiles } from './lib/generate-data.js';

/**
 * CPU per write of the store's write path (decide → append → project, group-committed), in
 * process, on a fresh SQLite file: a registry of 100 profiles, then rounds of `update_profile`
 * commands from 50 concurrent callers, `process.cpuUsage()` over each round divided by its writes.
 * With `--compare <dist>` the same module of another build (e.g. a worktree of an older commit,
 * built with `npx tsc -p tsconfig.build.json`) runs beside this one, on a file of its own, the
 * rounds alternating which build goes first, so that both see the same machine load.
 * Run: `npm run build && node --expose-gc dist/bench/write-cpu.js [--compare ../before/dist]`.
 * With `--callgrind FILE`, run by `valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes
 * --callgrind-out-file=FILE`, it also counts the instructions of each round (bench/lib/callgrind-rounds.ts).
 */
const { values: flags } = parseArgs({
  options: {
    compare: { type: 'string' },
    rounds: { type: 'string', default: '8' },
    writes: { type: 'string', default: '1500' },
    profiles: { type: 'string', default: '100' },
    callers: { type: 'string', default: '50' },
    callgrind: { type: 'string' },
  },
});
const rounds = Number(flags.rounds);
const writesPerRound = Number(flags.writes);
const profileCount = Number(flags.profiles);
const callers = Number(flags.callers);

type StoreModule = typeof import('../src/use-cases/registry-store.js');
type Store = Awaited<ReturnType<StoreModule['openRegistryStore']>>;

interface Build {
  name: string;
  store: Store;
  /** CPU µs per write, by round. */
  figures: number[];
  /** Of which in the kernel (system time), by round. */
  system: number[];
  /** Instructions per write of the main thread, and of all threads, by round (under callgrind). */
  instructions: number[];
  allThreads: number[];
}

const REGISTRY = 'default';
const context = { actor: 'bench', source: 'write-cpu', request_id: 'bench' };
const profiles = generateProfiles(profileCount, 1);
// one warm-up round (not counted), then the measured ones; every build applies the same patches
const patches = generatePatches(profileCount, 1, writesPerRound * (rounds + 1));

const openBuild = async (name: string, dist: string, dir: string): Promise<Build> => {
  // older builds kept the store module under projections/
  const modulePath = ['src/use-cases/registry-store.js', 'src/projections/registry-store.js'].map((path) => join(dist, path)).find((path) => existsSync(path))!;
  const module = (await import(pathToFileURL(modulePath).href)) as StoreModule;
  const store = await module.openRegistryStore({ path: join(dir, `${name.replace(/\W+/g, '-')}.db`) });
  await store.execute({ type: 'create_registry', registry: REGISTRY }, context);
  // seeded in units of 500 (one commit each): a large registry is ready in seconds, not one fsync per profile
  const creates = profiles.map(({ registry, slug, set_default: setDefault, ...fields }) => ({ type: 'create_profile' as const, registry, slug, fields, set_default: setDefault }));
  // (older builds have no executeAll: one command at a time)
  if (!('executeAll' in store)) for (const create of creates) await (store as Store).execute(create, context);
  else for (let at = 0; at < creates.length; at += 500) await store.executeAll(creates.slice(at, at + 500), context);
  return { name, store, figures: [], system: [], instructions: [], allThreads: [] };
};

const countInstructions = flags.callgrind ? callgrindCounter(flags.callgrind) : undefined;

/** Runs round `round` (`writesPerRound` patches from `callers` concurrent callers) and records its figures per write. */
const measureRound = async (build: Build, round: number): Promise<void> => {
  const batch = patches.slice(round * writesPerRound, (round + 1) * writesPerRound);
  let next = 0;
  const caller = async () => {
    while (next < batch.length) {
      const { registry, slug, body } = batch[next++]!;
      await build.store.execute({ type: 'update_profile', registry, slug, fields: body }, context);
    }
  };
  const writes = async () => {
    const start = process.cpuUsage();
    await Promise.all(Array.from({ length: callers }, caller));
    return process.cpuUsage(start);
  };
  (globalThis as { gc?: () => void }).gc?.();
  const [used, instructions] = countInstructions ? await countInstructions(writes) : [await writes(), undefined];
  build.figures.push((used.user + used.system) / batch.length);
  build.system.push(used.system / batch.length);
  if (instructions !== undefined) {
    build.instructions.push(instructions.main / batch.length);
    build.allThreads.push(instructions.all / batch.length);
  }
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const micros = (value: number) => `${Math.round(value)} µs`;
const thousands = (value: number) => Math.round(value).toLocaleString('en-US');
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

const dir = mkdtempSync(join(tmpdir(), 'profile-registry-write-cpu-'));
const builds: Build[] = [];
try {
  const started = new Date();
  const loadAtStart = load();
  builds.push(await openBuild('this build', fileURLToPath(new URL('..', import.meta.url)), dir));
  if (flags.compare) builds.unshift(await openBuild(`compared (${resolve(flags.compare)})`, resolve(flags.compare), dir));
  for (const build of builds) {
    await measureRound(build, 0);
    build.figures.length = build.system.length = build.instructions.length = build.allThreads.length = 0;
  }
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? builds : [...builds].reverse();
    for (const build of order) await measureRound(build, round);
    const last = (build: Build) =>
      `${micros(build.figures.at(-1)!)}${countInstructions ? ` ${thousands(build.instructions.at(-1)!)} instructions (all threads ${thousands(build.allThreads.at(-1)!)})` : ''}`;
    const figures = builds.map((build) => `${build.name} ${last(build)}`).join(', ');
    const ratio = builds.length === 2 ? `, ratio ${(builds[1]!.figures.at(-1)! / builds[0]!.figures.at(-1)!).toFixed(2)}` : '';
    console.log(`round ${round} (${order[0]!.name.split(' ')[0]} first): ${figures}${ratio}`);
  }
  console.log(
    `CPU per write, registry of ${profileCount} profiles, ${writesPerRound} update_profile commands per round from ${callers} callers, ${rounds} rounds`,
  );
  console.log(`  started ${started.toISOString()}, load average (1/5/15 min) ${loadAtStart} at the start, ${load()} at the end`);
  for (const build of builds) {
    console.log(`  ${build.name}: median ${micros(median(build.figures))} (system time ${micros(median(build.system))})`);
    if (countInstructions) {
      console.log(`    instructions per write: main thread median ${thousands(median(build.instructions))}, all threads ${thousands(median(build.allThreads))}`);
    }
  }
  if (builds.length === 2) {
    const [compared, current] = builds as [Build, Build];
    const ratios = current.figures.map((figure, round) => figure / compared.figures[round]!);
    console.log(
      `  this/compared: ratio of the medians ${(median(current.figures) / median(compared.figures)).toFixed(3)}, ` +
        `median of the per-round ratios ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)})`,
    );
    if (countInstructions) {
      for (const [label, of] of [['main thread', (build: Build) => build.instructions], ['all threads', (build: Build) => build.allThreads]] as const) {
        const perRound = of(current).map((count, round) => (count / of(compared)[round]!).toFixed(3));
        console.log(
          `  instructions this/compared, ${label}: ratio of the medians ${(median(of(current)) / median(of(compared))).toFixed(3)}, ` +
            `per round ${perRound.join(' ')}`,
        );
      }
    }
  }
} finally {
  for (const build of builds) await build.store.close();
  rmSync(dir, { recursive: true, force: true });
}
