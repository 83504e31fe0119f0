/** @jest-environment ./test/store/pgliteEnvironment.js */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/openDatabase';
import { PostgresDatabase } from '../../src/store/PostgresDatabase';
import { SqlRateLimitStore } from '../../src/store/RateLimitStore';
import { describeStores, sandboxFreePGlite } from './storeBackends';
import { T0 } from './storeFixtures';

describeStores('Database', (h) => {
  it('runs parameterised queries and multi-statement scripts', async () => {
    await h.db().query('CREATE TABLE t_db (id int PRIMARY KEY, note text, data bytea, at timestamptz); CREATE INDEX t_db_note ON t_db (note);');
    await h.db().query('INSERT INTO t_db VALUES ($1, $2, $3, $4)', [1, 'one', Buffer.from([0, 255]), T0.toISOString()]);
    const [row] = await h.db().query<{ id: number; note: string; data: Uint8Array; at: Date }>('SELECT * FROM t_db');
    expect(row!.note).toBe('one');
    expect(Array.from(row!.data)).toEqual([0, 255]);
    expect(new Date(row!.at)).toEqual(T0);
    expect(await h.db().query('SELECT 1 AS a; SELECT 2 AS b')).toEqual([{ b: 2 }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await h.db().query('CREATE TABLE t_tx (id int)');
    expect(await h.db().transaction(async (tx) => (await tx.query('INSERT INTO t_tx VALUES (1) RETURNING id'))[0])).toEqual({ id: 1 });
    await expect(
      h.db().transaction(async (tx) => {
        await tx.query('INSERT INTO t_tx VALUES (2)');
        await tx.query('SELECT no_such_column FROM t_tx');
      }),
    ).rejects.toThrow();
    expect(await h.db().query('SELECT id FROM t_tx')).toEqual([{ id: 1 }]);
  });

  it('keeps concurrent transactions apart', async () => {
    await h.db().query('CREATE TABLE t_counter (n int); INSERT INTO t_counter VALUES (0);');
    await Promise.all(
      Array.from({ length: 20 }, () =>
        h.db().transaction(async (tx) => {
          const [row] = await tx.query<{ n: number }>('SELECT n FROM t_counter FOR UPDATE');
          await tx.query('UPDATE t_counter SET n = $1', [row!.n + 1]);
        }),
      ),
    );
    expect(await h.db().query('SELECT n FROM t_counter')).toEqual([{ n: 20 }]);
  });

  it('reports a closed database as STORE_UNAVAILABLE', async () => {
    const db = await h.openEmpty();
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(db.transaction((tx) => tx.query('SELECT 1'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('counts rate-limit hits across the database', async () => {
    const limits = new SqlRateLimitStore();
    const hit = (at: Date) => limits.hit(h.db(), { bucket: 'verify:203.0.113.7', limit: 3, windowMs: 60_000, at });
    const decisions = await Promise.all([hit(T0), hit(T0), hit(T0), hit(T0)]);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    expect(decisions.map((d) => d.remaining).sort()).toEqual([0, 0, 1, 2]);
    expect(decisions[0]!.resetAt).toEqual(new Date(Math.floor(T0.getTime() / 60_000) * 60_000 + 60_000));
    expect((await hit(new Date(T0.getTime() + 60_000))).allowed).toBe(true);
    expect(await limits.purge(h.db(), new Date(T0.getTime() + 60_000))).toBe(1);
  });
});

describe('openDatabase', () => {
  it('reports an unreachable PostgreSQL as STORE_UNAVAILABLE', async () => {
    await expect(openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: '/nonexistent' })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });

  it('reports a database lost after start-up as STORE_UNAVAILABLE', async () => {
    const db = new PostgresDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMs: 500 });
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(db.transaction((tx) => tx.query('SELECT 1'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await db.close();
  });

  it('opens the embedded database when no URL is given, and refuses an unusable data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elicense-open-'));
    try {
      writeFileSync(join(dir, 'file'), 'not a directory');
      await expect(openDatabase({ dataDir: join(dir, 'file', 'pg'), pglite: sandboxFreePGlite() })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (process.env.DATABASE_URL) {
    it('opens PostgreSQL when a URL is given', async () => {
      const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: '/nonexistent' });
      expect(db.kind).toBe('postgres');
      await db.close();
    });
  }
});
