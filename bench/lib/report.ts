import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { LoadResult } from './load.js';

export interface Scenario {
  name: string;
  load?: LoadResult;
  /** Throughput divided by the hello-world baseline of the same run. */
  ratio?: number;
  /** Figures of scenarios that are not HTTP load (rebuild rate, start-up). */
  figures?: Record<string, string>;
  goal?: { text: string; met: (scenario: Scenario) => boolean };
  skipped?: string;
}

const START = '<!-- bench:run:start -->';
const END = '<!-- bench:run:end -->';

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const row = (scenario: Scenario): string => {
  if (scenario.skipped) return `| ${scenario.name} | | | | | skipped: ${scenario.skipped} |`;
  const goal = scenario.goal ? `${scenario.goal.text}: ${scenario.goal.met(scenario) ? 'met' : '**not met**'}` : '';
  if (scenario.load) {
    const { load } = scenario;
    const errors = load.non2xx + load.errors > 0 ? ` (${load.non2xx} non-2xx, ${load.errors} errors)` : '';
    return `| ${scenario.name} | ${number(load.requestsPerSec)}${errors} | ${number(load.p50Ms, 1)} | ${number(load.p99Ms, 1)} | ${scenario.ratio === undefined ? '' : `${number(scenario.ratio, 2)}×`} | ${goal} |`;
  }
  const figures = Object.entries(scenario.figures ?? {})
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  return `| ${scenario.name} | ${figures} | | | | ${goal} |`;
};

export const renderReport = (input: { command: string; scenarios: Scenario[]; elapsedSec: number }): string => {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return [
    START,
    `Run on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, ${number(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${process.platform}.`,
    `Command: \`${input.command}\` (took ${number(input.elapsedSec)} s). Load: autocannon over loopback against the built server`,
    '(`node dist/src/cli/main.js serve --log-level warn`) on a fresh SQLite file (WAL; every write fsynced before its answer).',
    '',
    '| scenario | throughput (req/s) or figures | p50 ms | p99 ms | × hello-world | target |',
    '|---|---|---|---|---|---|',
    ...input.scenarios.map(row),
    END,
  ].join('\n');
};

/** Replaces the generated section of the report, keeping whatever else the file says. */
export const writeReport = (path: string, input: { command: string; scenarios: Scenario[]; elapsedSec: number }): void => {
  const section = renderReport(input);
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\n';
  const start = existing.indexOf(START);
  const end = existing.indexOf(END);
  const next =
    start !== -1 && end !== -1
      ? `${existing.slice(0, start)}${section}${existing.slice(end + END.length)}`
      : `${existing.trimEnd()}\n\n${section}\n`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, next);
  process.stdout.write(`${section}\n`);
};
