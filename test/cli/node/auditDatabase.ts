/**
 * A migrated node database holding an audit log, outside any node: the
 * embedded one in a data directory (as `<dir>/pg`), or a new PostgreSQL
 * database when DATABASE_URL is set. For commands that read the database
 * directly (elicense audit verify).
 */
import { pgliteTemplate } from '../../store/storeBackends';
import { runAdminSql } from '../../../scripts/support/postgresAdmin';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlAuditLog, type AuditEvent } from '../../../src/store/AuditLog';
import type { Database } from '../../../src/store/Database';
import type { PGliteClass } from '../../../src/store/EmbeddedDatabase';
import { migrate } from '../../../src/store/migrate';
import { openDatabase } from '../../../src/store/openDatabase';

export interface AuditDatabase {
  kind: 'embedded' | 'postgres';
  /** The node data directory (embedded) or the database URL (postgres). */
  dataDir: string | undefined;
  databaseUrl: string | undefined;
  /** Opens the database (embedded: close it again before the CLI runs, PGlite is single-process). */
  open(): Promise<Database>;
  remove(): Promise<void>;
}

export function sandboxFreePGlite(): PGliteClass {
  const pglite = (globalThis as { __ELICENSE_PGLITE__?: PGliteClass }).__ELICENSE_PGLITE__;
  if (!pglite) throw new Error('this test file needs the docblock  @jest-environment ./test/store/pgliteEnvironment.js');
  return pglite;
}

export async function createAuditDatabase(kind: 'embedded' | 'postgres'): Promise<AuditDatabase> {
  if (kind === 'embedded') {
    const pglite = sandboxFreePGlite();
    const dataDir = mkdtempSync(join(tmpdir(), 'elicense-audit-cli-'));
    cpSync(await pgliteTemplate(pglite), join(dataDir, 'pg'), { recursive: true });
    return {
      kind,
      dataDir,
      databaseUrl: undefined,
      open: () => openDatabase({ dataDir: join(dataDir, 'pg'), pglite }),
      remove: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const adminUrl = process.env['DATABASE_URL'] as string;
  const name = `elicense_audit_${randomBytes(6).toString('hex')}`;
  await runAdminSql(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    kind,
    dataDir: undefined,
    databaseUrl,
    open: () => openDatabase({ databaseUrl, dataDir: '' }),
    remove: () => runAdminSql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Migrates and appends `count` audit entries, in transactions of a few hundred as a busy node would. */
export async function fillAuditLog(db: Database, count: number): Promise<void> {
  await migrate(db);
  const log = new SqlAuditLog();
  const start = Date.parse('2026-03-01T08:00:00Z');
  for (let done = 0; done < count; ) {
    const n = Math.min(300, count - done);
    const events: AuditEvent[] = Array.from({ length: n }, (_, i) => ({
      actor: `ak_test${(done + i) % 7}`,
      action: (done + i) % 3 === 0 ? 'licence.issue' : 'licence.read',
      subject: `1.2.156.3005.2.test.${done + i}`,
      details: { n: done + i },
      at: new Date(start + (done + i) * 1000),
    }));
    await db.transaction((tx) => log.append(tx, events));
    done += n;
  }
}
