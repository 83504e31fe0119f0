import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database } from '../store/Database';
import type { PGliteClass } from '../store/EmbeddedDatabase';
import { openDatabase } from '../store/openDatabase';
import type { CliContext } from './CliContext';
import { CliExit, EXIT } from './exitCodes';

export interface NodeDatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}

export interface NodeDatabaseDeps {
  /** Test runners only: PGlite loaded outside their module sandbox. */
  pglite?: PGliteClass;
}

/**
 * Opens the node's database read-only in intent: PostgreSQL by URL, or the
 * embedded database of a node data directory (`<dir>/pg`), which must
 * already exist (never initialise an empty one) and not be in use by a
 * running node (its lock file refuses a second process).
 */
export async function openNodeDatabase(opts: NodeDatabaseOptions, ctx: CliContext, deps: NodeDatabaseDeps = {}): Promise<Database> {
  const databaseUrl = opts.databaseUrl ?? (opts.dataDir === undefined ? ctx.env['DATABASE_URL'] || undefined : undefined);
  try {
    if (databaseUrl !== undefined) {
      if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new CliExit(EXIT.UNREADABLE, '--database-url must be a postgres:// or postgresql:// URL');
      return await openDatabase({ databaseUrl, dataDir: '' });
    }
    const dataDir = resolve(opts.dataDir ?? (ctx.env['ELICENSE_DATA_DIR'] || './data'));
    const pgDir = join(dataDir, 'pg');
    if (!existsSync(join(pgDir, 'PG_VERSION'))) throw new CliExit(EXIT.UNREADABLE, `no embedded node database in ${dataDir} (expected ${pgDir})`);
    return await openDatabase({ dataDir: pgDir, ...(deps.pglite ? { pglite: deps.pglite } : {}) });
  } catch (e) {
    if (e instanceof CliExit) throw e;
    throw new CliExit(EXIT.UNREADABLE, `the database could not be opened: ${(e as Error).message}`);
  }
}

