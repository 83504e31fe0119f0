import { mkdirSync } from 'node:fs';
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

export interface PGliteClass {
  create(dataDir: string): Promise<PGliteConnection>;
}

/**
 * PostgreSQL compiled to WASM (PGlite) on a data directory: lets `npm start`
 * work with nothing installed. One connection, one process: every query and
 * transaction goes through a queue so a transaction owns the connection,
 * and a lock file keeps other processes out of the data directory.
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
      return new EmbeddedDatabase(await pglite.create(dataDir), lock);
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

