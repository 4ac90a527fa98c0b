import { randomBytes } from 'node:crypto';
import { appendFile, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The text of an input file, or one clear error line. */
export const readInputFile = async (path: string): Promise<string> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `input file not found: ${path}` : `cannot read input file: ${path} (${code ?? 'error'})`);
  }
};

export const fileExists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Writes `text` to a temporary file beside `path`, then renames it over `path`, so that a reader
 * never sees half a file. A new file gets mode 0600 (profiles may hold API keys); a replaced one keeps its mode.
 */
export const writeFileAtomically = async (path: string, text: string): Promise<void> => {
  const mode = await stat(path).then(
    (existing) => existing.mode & 0o777,
    () => 0o600,
  );
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx', mode });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
};

/** Appends one line to a file (created with mode 0600): checkpoints accumulate, none is ever rewritten. */
export const appendLine = async (path: string, line: string): Promise<void> => {
  await appendFile(path, line.endsWith('\n') ? line : `${line}\n`, { mode: 0o600 });
};
