import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/events/open-database.js';
import { tempDir } from '../support/test-store.js';

const waitFor = async (condition: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
};

describe('the SQLite WAL', () => {
  const dir = tempDir();
  afterEach(() => dir.remove());

  it('is copied into the database file by a worker once it passes 4 MiB, without a write waiting for it', async () => {
    const path = join(dir.dir, 'wal.db');
    const db = openDatabase({ path });
    await db.transaction(async (tx) => tx.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));
    const fileSizeBefore = statSync(path).size;
    const body = 'x'.repeat(64 * 1024);
    for (let batch = 0; batch < 10; batch++) {
      await db.transaction(async (tx) => {
        for (let i = 0; i < 10; i++) await tx.run('INSERT INTO blobs (body) VALUES ($1)', [body]);
      });
    }
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(4 * 1024 * 1024);
    // the writer checkpoints by itself only past 16 MiB: a bigger file here is the worker's copy
    expect(await waitFor(() => statSync(path).size > fileSizeBefore + 4 * 1024 * 1024, 10_000)).toBe(true);
    expect(await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM blobs')).toEqual({ n: 100 });
    await db.close();
  });
});
