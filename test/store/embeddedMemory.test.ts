/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { EMBEDDED_SETTINGS, EmbeddedDatabase, embeddedStartParams, initialiseDataDirApart, isInitialisedDataDir, type PGliteClass } from '../../src/store/EmbeddedDatabase';
import { pgliteTemplate } from './storeBackends';

/**
 * The embedded store's memory settings (issue 17 item 5, docs/adr/0005 "Memory on the embedded store"): what
 * is passed to PGlite is what PostgreSQL runs with, durability is PGlite's as before, data survives a restart,
 * and a new data directory made in a child process opens as any other. The memory figures themselves are
 * measured by `npm run bench` (BENCH_ONLY=memory), not asserted here.
 */
describe('the embedded store started with its memory settings', () => {
  const pglite = (globalThis as { __ELICENSE_PGLITE__?: PGliteClass }).__ELICENSE_PGLITE__!;
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'elicense-embedded-memory-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const show = async (db: EmbeddedDatabase, name: string): Promise<string> => {
    const rows = await db.query<Record<string, string>>(`SHOW ${name}`);
    return Object.values(rows[0]!)[0]!;
  };

  it("keeps PGlite's own start parameters, in order, and adds ours after them", () => {
    const params = embeddedStartParams();
    expect(params.slice(0, PGlite.defaultStartParams.length)).toEqual(PGlite.defaultStartParams);
    expect(params.slice(PGlite.defaultStartParams.length)).toEqual(Object.entries(EMBEDDED_SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`]));
    // Nothing that touches durability is among ours.
    for (const name of Object.keys(EMBEDDED_SETTINGS)) expect(['fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'wal_sync_method']).not.toContain(name);
  });

  it('runs PostgreSQL with the settings it passes, durability as PGlite sets it, and keeps data across a restart', async () => {
    const dir = tempDir();
    cpSync(await pgliteTemplate(pglite), dir, { recursive: true });
    const db = await EmbeddedDatabase.open(dir, pglite);
    try {
      expect(await show(db, 'shared_buffers')).toBe(EMBEDDED_SETTINGS['shared_buffers']);
      expect(await show(db, 'synchronous_commit')).toBe('on');
      expect(await show(db, 'full_page_writes')).toBe('on');
      // PGlite starts PostgreSQL with -F (fsync off) among its own parameters; we pass them unchanged.
      expect(await show(db, 'fsync')).toBe(PGlite.defaultStartParams.includes('-F') ? 'off' : 'on');
      await db.transaction(async (tx) => {
        await tx.query('CREATE TABLE kept (id int PRIMARY KEY, note text NOT NULL)');
        await tx.query('INSERT INTO kept VALUES ($1, $2), ($3, $4)', [1, '营业执照', 2, 'licence']);
      });
    } finally {
      await db.close();
    }
    const again = await EmbeddedDatabase.open(dir, pglite);
    try {
      expect(await again.query('SELECT id, note FROM kept ORDER BY id')).toEqual([
        { id: 1, note: '营业执照' },
        { id: 2, note: 'licence' },
      ]);
      expect(await show(again, 'shared_buffers')).toBe(EMBEDDED_SETTINGS['shared_buffers']);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('initialises a new data directory in a child process, which then opens as on a restart', async () => {
    const dir = join(tempDir(), 'pg');
    expect(isInitialisedDataDir(dir)).toBe(false);
    await initialiseDataDirApart(dir);
    expect(isInitialisedDataDir(dir)).toBe(true);
    expect(existsSync(join(dir, 'postgresql.conf'))).toBe(true);
    const db = await EmbeddedDatabase.open(dir, pglite);
    try {
      expect(await show(db, 'shared_buffers')).toBe(EMBEDDED_SETTINGS['shared_buffers']);
      await db.query('CREATE TABLE t (x int)');
      await db.query('INSERT INTO t VALUES ($1)', [7]);
      expect(await db.query('SELECT x FROM t')).toEqual([{ x: 7 }]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('reports a failed initialisation instead of opening half a directory', async () => {
    const file = join(tempDir(), 'not-a-directory');
    writeFileSync(file, 'x');
    await expect(initialiseDataDirApart(join(file, 'pg'))).rejects.toThrow(/initdb of the embedded database failed/);
  }, 60_000);
});
