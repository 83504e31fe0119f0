/**
 * Runs one contract suite against every store back end: the embedded
 * database always, PostgreSQL too when DATABASE_URL is set. Each test file
 * gets its own fresh database (a new PostgreSQL database, or a new PGlite
 * data directory), migrated once and shared by the file's tests.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Database } from '../../src/store/Database';
import { EmbeddedDatabase, type PGliteClass } from '../../src/store/EmbeddedDatabase';
import { PostgresDatabase } from '../../src/store/PostgresDatabase';
import { migrate } from '../../src/store/migrate';
import { openDatabase } from '../../src/store/openDatabase';

export interface StoreHarness {
  readonly kind: 'embedded' | 'postgres';
  /** The file's migrated database. */
  db(): Database;
  /** A second Database on the same data as `db` (default: the file's main one). PostgreSQL only: PGlite is single-process. */
  openAnother(db?: Database): Promise<Database>;
  /** A new, empty, unmigrated database, closed and removed with the file's own. */
  openEmpty(): Promise<Database>;
}

export function describeStores(title: string, body: (h: StoreHarness) => void): void {
  const kinds: Array<'embedded' | 'postgres'> = ['embedded'];
  if (process.env.DATABASE_URL) kinds.push('postgres');
  for (const kind of kinds) {
    describe(`${title} [${kind}]`, () => {
      const h = kind === 'embedded' ? new EmbeddedHarness() : new PostgresHarness(process.env.DATABASE_URL as string);
      beforeAll(async () => {
        const db = await h.openEmpty();
        await migrate(db);
        h.main = db;
      }, 180_000);
      afterAll(() => h.tearDown(), 60_000);
      body(h);
    });
  }
}

abstract class Harness implements StoreHarness {
  abstract readonly kind: 'embedded' | 'postgres';
  main: Database | undefined;
  protected readonly opened: Database[] = [];
  protected readonly cleanups: Array<() => Promise<void> | void> = [];

  db(): Database {
    if (!this.main) throw new Error('store harness not set up');
    return this.main;
  }

  abstract openAnother(db?: Database): Promise<Database>;
  abstract openEmpty(): Promise<Database>;

  async tearDown(): Promise<void> {
    for (const db of this.opened.reverse()) await db.close().catch(() => undefined);
    for (const cleanup of this.cleanups.reverse()) await cleanup();
  }
}

class EmbeddedHarness extends Harness {
  readonly kind = 'embedded' as const;

  async openAnother(): Promise<Database> {
    throw new Error('the embedded database is single-process');
  }

  async openEmpty(): Promise<Database> {
    const dir = mkdtempSync(join(tmpdir(), 'elicense-store-'));
    this.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(await pgliteTemplate(), join(dir, 'pg'), { recursive: true });
    const db = await openDatabase({ dataDir: join(dir, 'pg'), pglite: sandboxFreePGlite() });
    this.opened.push(db);
    return db;
  }
}

/** PGlite as loaded by pgliteEnvironment.js, outside jest's module sandbox. */
export function sandboxFreePGlite(): PGliteClass {
  const pglite = (globalThis as { __ELICENSE_PGLITE__?: PGliteClass }).__ELICENSE_PGLITE__;
  if (!pglite) throw new Error('this test file needs the docblock  @jest-environment ./test/store/pgliteEnvironment.js');
  return pglite;
}

/**
 * initdb under PGlite takes many seconds; a freshly initialised, never-used
 * data directory is made once per machine and copied for each test file.
 */
export async function pgliteTemplate(pglite: PGliteClass = sandboxFreePGlite()): Promise<string> {
  const manifest = join(__dirname, '../../node_modules/@electric-sql/pglite/package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const template = join(tmpdir(), `elicense-pglite-template-${version}`);
  if (existsSync(template)) return template;
  const building = mkdtempSync(join(tmpdir(), 'elicense-pglite-building-'));
  // Opening initialises the directory; closing shuts PostgreSQL down cleanly so the files can be copied.
  await (await EmbeddedDatabase.open(building, pglite)).close();
  try {
    renameSync(building, template);
  } catch {
    // Another jest worker got there first: use its copy.
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

class PostgresHarness extends Harness {
  readonly kind = 'postgres' as const;
  private readonly urls = new Map<Database, string>();

  constructor(private readonly adminUrl: string) {
    super();
  }

  async openAnother(of: Database = this.db()): Promise<Database> {
    const url = this.urls.get(of);
    if (url === undefined) throw new Error('not a database of this harness');
    const db = new PostgresDatabase({ databaseUrl: url, maxConnections: 8 });
    this.opened.push(db);
    return db;
  }

  async openEmpty(): Promise<Database> {
    const name = `elicense_test_${randomBytes(6).toString('hex')}`;
    await this.admin(`CREATE DATABASE ${name}`);
    this.cleanups.push(() => this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    const db = new PostgresDatabase({ databaseUrl: url.toString(), maxConnections: 8 });
    this.urls.set(db, url.toString());
    this.opened.push(db);
    return db;
  }

  private async admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
