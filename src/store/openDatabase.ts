import type { Database } from './Database';
import { EmbeddedDatabase, type PGliteClass } from './EmbeddedDatabase';
import { PostgresDatabase } from './PostgresDatabase';

export interface OpenDatabaseOptions {
  /** A PostgreSQL server; when absent the embedded database in `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** Data directory of the embedded database (e.g. `<ELICENSE_DATA_DIR>/pg`). */
  dataDir: string;
  maxConnections?: number;
  /** Test runners only: PGlite loaded outside their module sandbox (test/store/pgliteEnvironment.js). */
  pglite?: PGliteClass;
}

/**
 * Opens the configured database and checks that it answers, so a wrong
 * DATABASE_URL stops start-up with STORE_UNAVAILABLE instead of failing later.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl === undefined || options.databaseUrl === '') return EmbeddedDatabase.open(options.dataDir, options.pglite);
  const db = new PostgresDatabase(
    options.maxConnections === undefined ? { databaseUrl: options.databaseUrl } : { databaseUrl: options.databaseUrl, maxConnections: options.maxConnections },
  );
  try {
    await db.query('SELECT 1');
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return db;
}
