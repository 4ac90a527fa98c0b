import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/events/sqlite/open-sqlite.js';
import { SQLITE_DEFAULTS } from '../../src/events/sqlite/sqlite-dsn.js';
import { readInMappedWindows } from '../../src/events/sql/read-in-mapped-windows.js';
import type { SqlDatabase } from '../../src/events/sql-database.js';

describe('readInMappedWindows (SQLite)', () => {
  let dir: string | undefined;
  let db: SqlDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads through the map from the first chunk on, drops it after each window and at the end, inside a write transaction, and reads the same rows', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mapped-windows-'));
    db = openSqlite({ path: join(dir, 'store.db'), ...SQLITE_DEFAULTS });
    await db.transaction(async (tx) => {
      await tx.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT NOT NULL)');
      for (let n = 1; n <= 40; n += 1) await tx.run('INSERT INTO t (n, text) VALUES ($1, $2)', [n, `${n}`.repeat(3000)]);
    });
    const rows: string[] = [];
    const sizes: number[] = [];
    await db.transaction(async (tx) => {
      const mapped = readInMappedWindows(tx, 10);
      for (let after = 0; after < 40; after += 5) {
        sizes.push(Number((await tx.get<{ mmap_size: number }>('PRAGMA mmap_size'))?.mmap_size));
        const chunk = await tx.all<{ text: string }>('SELECT text FROM t WHERE n > $1 ORDER BY n LIMIT 5', [after]);
        rows.push(...chunk.map((row) => row.text));
        await tx.run('INSERT INTO t (n, text) VALUES ($1, $2)', [1000 + after, 'written between reads']);
        await mapped.read(chunk.length);
      }
      await mapped.end();
      sizes.push(Number((await tx.get<{ mmap_size: number }>('PRAGMA mmap_size'))?.mmap_size));
    });
    // taken after the first chunk (what is read before it stays out of the map)
    expect(sizes).toEqual([0, ...Array.from({ length: 7 }, () => 2147418112), 0]);
    expect(rows).toEqual(Array.from({ length: 40 }, (_, index) => `${index + 1}`.repeat(3000)));
  });
});
