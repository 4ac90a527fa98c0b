import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Flushes a file, or a folder's entries (a rename or link into it), to the disk. */
export const fsyncPath = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};
