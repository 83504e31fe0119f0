import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { Database, Queryable } from './Database';
import { asStoreError } from './storeUnavailable';

/** SQLSTATEs after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);

export interface PostgresDatabaseOptions {
  databaseUrl: string;
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** Attempts for a transaction that hits a serialization failure or deadlock (default 5). */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
}

/** A PostgreSQL server reached through a pg connection pool. */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  private readonly maxAttempts: number;
  readonly soleWriter = false;

  constructor(private readonly options: PostgresDatabaseOptions) {
    const config: PoolConfig = {
      connectionString: options.databaseUrl,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    };
    this.pool = new Pool(config);
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    try {
      const result = await this.pool.query(sql, params as unknown[] | undefined);
      return lastRows<R>(result);
    } catch (e) {
      throw asStoreError(e, this.kind);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(fn);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (attempt >= this.maxAttempts || typeof code !== 'string' || !RETRYABLE.has(code)) throw asStoreError(e, this.kind);
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async attempt<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const tx: Queryable = { query: async <R>(sql: string, params?: readonly unknown[]) => lastRows<R>(await client.query(sql, params as unknown[] | undefined)) };
      const value = await fn(tx);
      await client.query('COMMIT');
      return value;
    } catch (e) {
      broken = await rollback(client);
      throw e;
    } finally {
      // A client whose rollback failed is in an unknown state: destroy it rather than reuse it.
      client.release(broken === undefined ? undefined : (broken as Error));
    }
  }
}

async function rollback(client: PoolClient): Promise<unknown> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (e) {
    return e ?? new Error('rollback failed');
  }
}

/** A multi-statement simple query yields one result per statement; callers want the last. */
function lastRows<R>(result: unknown): R[] {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return ((last as { rows?: R[] } | undefined)?.rows ?? []) as R[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
