import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DatedBackup } from '../domain/backup-retention.js';
import { fileErrorCause } from '../domain/file-errors.js';

/** `profiles-20261206T180000Z.db`: the name `backup DIR` gives a backup, its UTC time to the second. */
const BACKUP_NAME = /^profiles-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.db$/;

export const backupName = (atMs: number): string =>
  `profiles-${new Date(atMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.db`;

/** The backups of a folder that this tool made (by their name); any other file is not one. */
export const listBackups = (dir: string): DatedBackup[] =>
  readdirSync(dir).flatMap((name) => {
    const match = BACKUP_NAME.exec(name);
    if (!match || !statSync(join(dir, name)).isFile()) return [];
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
    const atMs = Date.UTC(year, month - 1, day, hour, minute, second);
    return Number.isNaN(atMs) ? [] : [{ name, atMs }];
  });

/** Deletes these backups of `dir`, one unlink each; the first failure stops it (leaving more, never fewer). */
export const deleteBackups = (dir: string, names: readonly string[]): void => {
  for (const name of names) {
    const path = join(dir, name);
    try {
      rmSync(path);
    } catch (error) {
      throw new Error(`cannot delete ${path}: ${fileErrorCause(error)}`);
    }
  }
};
