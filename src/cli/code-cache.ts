import { isAscii } from 'node:buffer';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { turnOffPretenuring } from './pretenuring.js';

/**
 * The command line bundled as one CommonJS script (scripts/bundle-cli.mjs) and V8's code cache of
 * it, made by the build after a `serve` answered its first request (scripts/warm-code-cache.mjs):
 * `serve` then starts without parsing and compiling the ~4 MB of its modules (Node 20 has no
 * compile cache for ES modules; `vm.Script` takes one). The cache is only read at run time, so a
 * read-only install works; one that does not fit is not used and the script is compiled from its text.
 */
export const PROGRAM_BUNDLE = fileURLToPath(new URL('./program.cjs', import.meta.url));
const cacheFileOf = (bundle: string) => `${bundle}.cache`;

/** The bundle's first line names its build; the cache file starts with the same line, so a cache never meets another build's text. */
const BUILD_LINE = /^\/\/ build [\w-]+\n/;

export interface CompiledProgram {
  script: Script;
  /** true: a cache was there and V8 refused it (another Node, other V8 flags); undefined: no cache for this build. */
  cacheRejected: boolean | undefined;
  /** Runs the bundle's top level and returns its exports. */
  run(): { runProgram(): Promise<void> };
  /** V8's code cache of the script as it is now (the functions compiled so far included), in the cache file's layout. */
  codeCache(): Buffer;
}

const cachedDataFor = (bundle: string, buildLine: string): Buffer | undefined => {
  const file = cacheFileOf(bundle);
  if (!existsSync(file)) return undefined;
  const cache = readFileSync(file);
  const header = Buffer.from(buildLine);
  return cache.subarray(0, header.length).equals(header) ? cache.subarray(header.length) : undefined;
};

export const compileProgram = (bundle = PROGRAM_BUNDLE): CompiledProgram => {
  // V8 takes a cache only under the flags it was made with, and `serve` sets this one
  turnOffPretenuring();
  const text = readFileSync(bundle);
  // the build writes it in ASCII (bundle-cli.mjs): read as Latin-1, the same string in a quarter of UTF-8's time
  const source = text.toString(isAscii(text) ? 'latin1' : 'utf8');
  const buildLine = BUILD_LINE.exec(source)?.[0];
  const cachedData = buildLine === undefined ? undefined : cachedDataFor(bundle, buildLine);
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
  return {
    script,
    cacheRejected: cachedData === undefined ? undefined : script.cachedDataRejected === true,
    run: () => {
      const module = { exports: {} as { runProgram(): Promise<void> } };
      (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
      return module.exports;
    },
    codeCache: () => Buffer.concat([Buffer.from(buildLine ?? ''), script.createCachedData()]),
  };
};

export const writeCodeCache = (program: CompiledProgram, bundle = PROGRAM_BUNDLE): void => writeFileSync(cacheFileOf(bundle), program.codeCache());

/** Runs the command line from the bundle; false when there is none beside this file (a build without it, or the sources run directly). */
export const runBundledProgram = (bundle = PROGRAM_BUNDLE): boolean => {
  if (!existsSync(bundle)) return false;
  void compileProgram(bundle).run().runProgram();
  return true;
};
