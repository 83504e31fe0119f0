import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { ElicenseError } from '../errors';
import { DataDirLock } from './DataDirLock';
import type { Database, Queryable } from './Database';
import { SerialQueue } from './SerialQueue';
import { asStoreError } from './storeUnavailable';

/** The part of PGlite this class uses (replaceable for test runners, see open()). */
export interface PGliteConnection {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(sql: string): Promise<Array<{ rows: unknown[] }>>;
  close(): Promise<void>;
}

/** What EmbeddedDatabase passes to PGlite.create: the start parameters of the embedded PostgreSQL. */
export interface EmbeddedStartOptions {
  startParams: string[];
}

export interface PGliteClass {
  create(dataDir: string, options?: EmbeddedStartOptions): Promise<PGliteConnection>;
}

/**
 * Settings of the embedded PostgreSQL that differ from PGlite's (docs/adr/0005, "Memory on the embedded
 * store"). PostgreSQL's own default shared_buffers (128MB) lives inside PGlite's WebAssembly memory, which
 * is touched at start and never given back: it was a third of an idle node. 16MB (2,048 pages) holds the
 * hot pages of a department's database; every other page is a read of the data directory through the OS
 * page cache. Nothing about durability is changed: fsync, synchronous_commit, full_page_writes and the WAL
 * are as PGlite starts them.
 */
export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

/** PGlite's own start parameters (single-user mode and its settings), then ours, which PostgreSQL applies last. */
export function embeddedStartParams(defaults: readonly string[] = PGlite.defaultStartParams): string[] {
  return [...defaults, ...Object.entries(EMBEDDED_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

/**
 * Runs `open` (which compiles PGlite's WebAssembly) with V8's baseline WebAssembly compiler only (Liftoff).
 * Otherwise V8 recompiles every PostgreSQL function that gets warm with its optimising compiler and keeps
 * both: 40 to 50 MB of machine code that never goes away, while PGlite's queries cost the same either way
 * (measured: its time goes to the JavaScript around each query, docs/adr/0005). V8 reads the flag when it
 * compiles a module, so it is set for PGlite's compile only and cleared after it: modules compiled later (text
 * shaping for PDFs, QR reading) are optimised as usual. A node started with --liftoff-only keeps it.
 */
export async function withBaselineWasmCompiler<T>(open: () => Promise<T>): Promise<T> {
  const given = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) => a === '--liftoff-only' || a === '--liftoff_only');
  if (given) return open();
  setFlagsFromString('--liftoff-only');
  try {
    return await open();
  } finally {
    setFlagsFromString('--no-liftoff-only');
  }
}

/** Whether `dataDir` holds an initialised PostgreSQL data directory (PGlite keeps PGDATA there as is). */
export function isInitialisedDataDir(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * Creates a new data directory in a child process (initdb), so that this process never holds what initdb
 * needs: PGlite runs it in a second WebAssembly instance beside a temporary PostgreSQL of its own, several
 * hundred MB that this process would keep until a full garbage collection, or for good. The child exits and
 * gives all of it back; this process then opens the directory as on any restart.
 */
export async function initialiseDataDirApart(dataDir: string, options: EmbeddedStartOptions = { startParams: embeddedStartParams() }): Promise<void> {
  const entry = require.resolve('@electric-sql/pglite');
  const script =
    'const [entry, dir, options] = JSON.parse(process.argv[1]);' +
    'require(entry).PGlite.create(dir, options).then((pg) => pg.close()).then(() => process.exit(0), (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });';
  const child = spawn(process.execPath, ['-e', script, JSON.stringify([entry, dataDir, options])], { stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0 || !isInitialisedDataDir(dataDir)) throw new Error(`initdb of the embedded database failed (exit ${code}): ${stderr.trim()}`);
}

/**
 * PostgreSQL compiled to WASM (PGlite) on a data directory: lets `npm start`
 * work with nothing installed. One connection, one process: every query and
 * transaction goes through a queue so a transaction owns the connection,
 * and a lock file keeps other processes out of the data directory. Started
 * with EMBEDDED_SETTINGS; a new data directory is initialised in a child process.
 */
export class EmbeddedDatabase implements Database {
  readonly kind = 'embedded' as const;
  readonly soleWriter = true;
  private readonly queue = new SerialQueue();
  private closed = false;

  private constructor(
    private readonly pg: PGliteConnection,
    private readonly lock: DataDirLock,
  ) {}

  /**
   * Opens (and on first use initialises, which takes seconds) the data
   * directory. `pglite` replaces the PGlite class for test runners that must
   * load it outside their module sandbox (see test/store/pgliteEnvironment.js).
   */
  static async open(dataDir: string, pglite: PGliteClass = PGlite): Promise<EmbeddedDatabase> {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (e) {
      throw new ElicenseError('STORE_UNAVAILABLE', 'the embedded database directory could not be created', { dataDir }, { cause: e });
    }
    const lock = DataDirLock.acquire(dataDir);
    try {
      const options: EmbeddedStartOptions = { startParams: embeddedStartParams() };
      // A new data directory is made in a child process (the real PGlite only: a test runner's stand-in initialises in place).
      if (pglite === PGlite && !isInitialisedDataDir(dataDir)) await initialiseDataDirApart(dataDir, options);
      return new EmbeddedDatabase(await withBaselineWasmCompiler(() => pglite.create(dataDir, options)), lock);
    } catch (e) {
      lock.release();
      throw new ElicenseError('STORE_UNAVAILABLE', 'the embedded database could not be opened', { dataDir }, { cause: e });
    }
  }

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.queue.run(() => this.guard(() => this.run<R>(sql, params)));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.queue.run(() =>
      this.guard(async () => {
        await this.pg.exec('BEGIN');
        try {
          const value = await fn({ query: (sql, params) => this.run(sql, params) });
          await this.pg.exec('COMMIT');
          return value;
        } catch (e) {
          await this.pg.exec('ROLLBACK');
          throw e;
        }
      }),
    );
  }


  close(): Promise<void> {
    return this.queue.run(async () => {
      if (this.closed) return;
      this.closed = true;
      try {
        await this.pg.close();
      } finally {
        this.lock.release();
      }
    });
  }

  /** Same protocol choice as node-postgres: simple protocol without parameters, extended with. */
  private async run<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    if (params === undefined || params.length === 0) {
      const results = await this.pg.exec(sql);
      return (results[results.length - 1]?.rows ?? []) as R[];
    }
    const result = await this.pg.query<R>(sql, params as unknown[]);
    return result.rows;
  }

  private async guard<T>(job: () => Promise<T>): Promise<T> {
    if (this.closed) throw new ElicenseError('STORE_UNAVAILABLE', 'the embedded database is closed');
    try {
      return await job();
    } catch (e) {
      throw asStoreError(e, this.kind);
    }
  }
}

