import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileErrorCause } from '../domain/file-errors.js';

/** Kernel file systems that hold no files of their own (statfs f_type). */
const VIRTUAL_FILE_SYSTEMS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x73636673: 'securityfs',
};

/**
 * Why a new file at `path` could not be written, in words. Linux answers ENOENT for a file made
 * in a folder that exists but takes no new files (`/proc`): that is said instead of a missing folder.
 */
export const writeFailureCause = (path: string, error: unknown): string => {
  const folder = dirname(path);
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    return fileErrorCause(error);
  }
  let kind: string | undefined;
  try {
    kind = VIRTUAL_FILE_SYSTEMS[statfsSync(folder).type];
  } catch {
    // no statfs here: the plain wording below
  }
  return kind ? `${folder} is on the ${kind} file system, which takes no new files` : `${folder} takes no new files`;
};
