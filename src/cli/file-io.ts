import { randomBytes } from 'node:crypto';
import { appendFile, link, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileErrorCause } from '../domain/file-errors.js';
import { firstInvalidUtf8 } from '../domain/intact-json.js';
import { writeFailureCause } from '../events/write-failure-cause.js';

/** The text of an input file, or one clear error line. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export const readInputFile = async (path: string): Promise<string> => {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `input file not found: ${path}` : `cannot read ${path}: ${fileErrorCause(error)}`);
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // a lenient decoder would store U+FFFD in place of what the file said
    const valid = bytes.subarray(0, firstInvalidUtf8(bytes));
    const line = valid.reduce((lines, byte) => lines + (byte === 0x0a ? 1 : 0), 1);
    throw new Error(`${path} is not valid UTF-8 (line ${line}, byte ${valid.length})`);
  }
};

/** The one wording of the overwrite rule of every command that writes a file. */
export const alreadyExists = (path: string): Error => new Error(`${path} already exists (use --force to overwrite it)`);

/** An output that is a directory, or that exists without `--force`, is refused before anything is written. */
export const checkOutputFile = async (path: string, force: boolean): Promise<void> => {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new Error(`cannot write ${path}: it is a directory`);
  if (existing && !force) throw alreadyExists(path);
};

/**
 * Writes `text` (or its parts, as they come) to a temporary file beside `path`, then moves it onto `path`, so that a reader
 * never sees half a file. A new file gets mode 0600 (profiles may hold API keys); a replaced one
 * keeps its mode. Without `force` an existing file is refused, atomically (the move is then a
 * hard link, which fails if the name exists). Errors name `path` and their cause, never the
 * temporary file.
 */
export const writeFileAtomically = async (path: string, text: string | AsyncIterable<string>, options: { force: boolean }): Promise<void> => {
  await checkOutputFile(path, options.force);
  const mode = await stat(path).then(
    (existing) => existing.mode & 0o777,
    () => 0o600,
  );
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx', mode });
    if (options.force) await rename(temp, path);
    else await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(path);
    throw new Error(`cannot write ${path}: ${writeFailureCause(path, error)}`);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
};

/** Appends one line to a file (created with mode 0600): checkpoints accumulate, none is ever rewritten. */
export const appendLine = async (path: string, line: string): Promise<void> => {
  await appendFile(path, line.endsWith('\n') ? line : `${line}\n`, { mode: 0o600 });
};
