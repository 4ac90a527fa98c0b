import type { SqlStatements } from '../sql-database.js';

/** Events read between two drops of the map: ~45 MB of 4 KB events in the process's RSS at most, per reader. */
const WINDOW_EVENTS = 10_000;

/**
 * For a read of the whole log (a rebuild's fold, the chain check beside it), where the database
 * can (SqlFlavour.memoryMap): its pages come through a memory map instead of a system call each
 * (SQLite: a third less system time, the kernel's copy of each 4 KB page). The pages a scan touched
 * count in the process's RSS as long as they are mapped, so the map is let go every WINDOW_EVENTS
 * events and taken again at the next read. `read` goes after each chunk of the log, between
 * statements (SQLite lets go of a map only while no statement holds a page of it), `end` after
 * the last. The map is taken at the first `read`, not before: what a reader scans before its
 * first chunk (a scan of an index, as the rebuild once made) would stay mapped, and with the
 * kernel's fault-around (16 pages a fault) it held 300 MB of the file's pages in RSS.
 */
export const readInMappedWindows = (sql: Pick<SqlStatements, 'flavour' | 'exec'>, windowEvents = WINDOW_EVENTS) => {
  const map = sql.flavour.memoryMap;
  let sinceMapped = 0;
  let mapped = false;
  return {
    read: async (events: number): Promise<void> => {
      if (!map) return;
      if (!mapped) {
        mapped = true;
        await sql.exec(map.on);
        return;
      }
      sinceMapped += events;
      if (sinceMapped < windowEvents) return;
      sinceMapped = 0;
      await sql.exec(`${map.off}; ${map.on}`);
    },
    end: async (): Promise<void> => {
      if (map && mapped) await sql.exec(map.off);
    },
  };
};
