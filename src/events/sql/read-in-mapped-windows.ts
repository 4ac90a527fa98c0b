import type { SqlStatements } from '../sql-database.js';

/** Events read between two drops of the map: ~45 MB of 4 KB events in the process's RSS at most, per reader. */
const WINDOW_EVENTS = 10_000;

/**
 * For a read of the whole log (a rebuild's fold, the chain check beside it), where the database
 * can (SqlFlavour.memoryMap): its pages come through a memory map instead of a system call each
 * (SQLite: a third less system time, the kernel's copy of each 4 KB page). The pages a scan touched
 * count in the process's RSS as long as they are mapped, so the map is let go every WINDOW_EVENTS
 * events and taken again at the next read. `read` goes between statements (SQLite lets go of a
 * map only while no statement holds a page of it), `end` after the last.
 */
export const readInMappedWindows = async (sql: Pick<SqlStatements, 'flavour' | 'exec'>) => {
  const map = sql.flavour.memoryMap;
  let sinceMapped = 0;
  if (map) await sql.exec(map.on);
  return {
    read: async (events: number): Promise<void> => {
      sinceMapped += events;
      if (!map || sinceMapped < WINDOW_EVENTS) return;
      sinceMapped = 0;
      await sql.exec(`${map.off}; ${map.on}`);
    },
    end: async (): Promise<void> => {
      if (map) await sql.exec(map.off);
    },
  };
};
