import { existsSync, linkSync, renameSync, unlinkSync } from 'node:fs';

/** The files of a SQLite database: the file, then its WAL and shared-memory index, as far as they exist. */
export const databaseFiles = (path: string): string[] => [path, `${path}-wal`, `${path}-shm`].filter((file) => existsSync(file));

/**
 * Moves a database and its -wal / -shm aside, together, to `PATH.replaced-N` (`-wal`, `-shm`), N
 * the first number none of them uses: an earlier one is never overwritten (the main file is linked
 * to its new name, which fails if the name exists, then unlinked). Returns the new name of each
 * file moved, in the order of databaseFiles.
 */
export const setDatabaseAside = (path: string): Array<{ from: string; to: string }> => {
  const files = databaseFiles(path);
  if (files.length === 0) return [];
  for (let n = 1; ; n++) {
    const kept = `${path}.replaced-${n}`;
    if ([kept, `${kept}-wal`, `${kept}-shm`].some((file) => existsSync(file))) continue;
    if (files[0] === path) {
      try {
        linkSync(path, kept);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      unlinkSync(path);
    }
    const moved = [];
    for (const file of files) {
      const to = `${kept}${file.slice(path.length)}`;
      if (file !== path) renameSync(file, to);
      moved.push({ from: file, to });
    }
    return moved;
  }
};
