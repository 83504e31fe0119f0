import { ElicenseError } from '../errors';
import type { Database, Queryable } from './Database';
import { migrationChecksum, type Migration } from './Migration';
import { ALL_MIGRATIONS } from './migrations/allMigrations';

/** Arbitrary but fixed: every elicense process migrating one database waits on this lock. */
const MIGRATION_LOCK = 7_272_001;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Brings the schema up to date: each pending migration runs in its own
 * transaction under a transaction-level advisory lock, so processes starting
 * together apply each step once. Refuses (STORE_MIGRATION_INVALID) when an
 * applied migration was edited or is unknown to this version of elicense.
 * Returns the versions it applied.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = ALL_MIGRATIONS): Promise<number[]> {
  checkSequence(migrations);
  const applied: number[] = [];
  for (;;) {
    const version = await db.transaction((tx) => applyNext(tx, migrations));
    if (version === null) return applied;
    applied.push(version);
  }
}

async function applyNext(tx: Queryable, migrations: readonly Migration[]): Promise<number | null> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  await tx.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const rows = await tx.query<AppliedRow>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
  checkApplied(rows, migrations);
  const next = migrations[rows.length];
  if (next === undefined) return null;
  await tx.query(next.sql);
  await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [next.version, next.name, migrationChecksum(next)]);
  return next.version;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1 || !/^[a-z0-9_]+$/.test(m.name)) {
      throw new ElicenseError('STORE_MIGRATION_INVALID', `migration list is malformed at position ${i + 1}`, { version: m.version, name: m.name });
    }
  });
}

/** Applied migrations must be exactly the first N known ones, unchanged. */
function checkApplied(rows: readonly AppliedRow[], migrations: readonly Migration[]): void {
  rows.forEach((row, i) => {
    const version = Number(row.version);
    const known = migrations[i];
    if (known === undefined || known.version !== version) {
      throw new ElicenseError('STORE_MIGRATION_INVALID', `the database has migration ${version} (${row.name}), unknown to this version of elicense`, { version });
    }
    if (migrationChecksum(known) !== row.checksum) {
      throw new ElicenseError('STORE_MIGRATION_INVALID', `migration ${version} (${row.name}) was changed after it was applied`, { version });
    }
  });
}
