/** @jest-environment ./test/store/pgliteEnvironment.js */
import { ElicenseError } from '../../src/errors';
import { migrate } from '../../src/store/migrate';
import type { Migration } from '../../src/store/Migration';
import { ALL_MIGRATIONS } from '../../src/store/migrations/allMigrations';
import { describeStores } from './storeBackends';

const toy: Migration[] = [
  { version: 1, name: 'first', sql: 'CREATE TABLE toy_a (x int); CREATE TABLE toy_b (y int);' },
  { version: 2, name: 'second', sql: 'ALTER TABLE toy_a ADD COLUMN z text;' },
];

describeStores('migrate', (h) => {
  it('applies the real schema once; running it again applies nothing', async () => {
    expect(await migrate(h.db())).toEqual([]);
    const rows = await h.db().query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => Number(r.version))).toEqual(ALL_MIGRATIONS.map((m) => m.version));
  });

  it('applies pending migrations in order, each once', async () => {
    const db = await h.openEmpty();
    expect(await migrate(db, toy.slice(0, 1))).toEqual([1]);
    expect(await migrate(db, toy)).toEqual([2]);
    expect(await migrate(db, toy)).toEqual([]);
    await db.query('INSERT INTO toy_a (x, z) VALUES (1, $1)', ['ok']);
  });

  it('refuses to start when an applied migration was edited', async () => {
    const db = await h.openEmpty();
    await migrate(db, toy);
    const edited = [toy[0]!, { ...toy[1]!, sql: 'ALTER TABLE toy_a ADD COLUMN z integer;' }];
    await expect(migrate(db, edited)).rejects.toMatchObject({ code: 'STORE_MIGRATION_INVALID', details: { version: 2 } });
  });

  it('ignores line-ending differences in the checksum', async () => {
    const db = await h.openEmpty();
    await migrate(db, toy);
    expect(await migrate(db, toy.map((m) => ({ ...m, sql: m.sql.replace(/\n/g, '\r\n') })))).toEqual([]);
  });

  it('refuses a database migrated by a newer version', async () => {
    const db = await h.openEmpty();
    await migrate(db, toy);
    await expect(migrate(db, toy.slice(0, 1))).rejects.toBeInstanceOf(ElicenseError);
  });

  it('rolls back a failing migration completely', async () => {
    const db = await h.openEmpty();
    const broken: Migration[] = [{ version: 1, name: 'broken', sql: 'CREATE TABLE half (x int); SELECT no_such_function();' }];
    await expect(migrate(db, broken)).rejects.toThrow();
    const [tables] = await db.query<{ half: string | null; applied: string | null }>("SELECT to_regclass('half')::text AS half, to_regclass('schema_migrations')::text AS applied");
    expect(tables).toEqual({ half: null, applied: null });
  });

  it('rejects a malformed migration list', async () => {
    const db = h.db();
    await expect(migrate(db, [{ version: 2, name: 'x', sql: '' }])).rejects.toMatchObject({ code: 'STORE_MIGRATION_INVALID' });
  });

  if (h.kind === 'postgres') {
    it('two processes migrating one database at once apply each migration once', async () => {
      const a = await h.openEmpty();
      const b = await h.openAnother(a);
      const results = await Promise.all([migrate(a, toy), migrate(b, toy), migrate(a, toy), migrate(b, toy)]);
      expect(results.flat().sort()).toEqual([1, 2]);
    });
  }
});
