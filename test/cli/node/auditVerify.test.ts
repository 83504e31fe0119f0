/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { join } from 'node:path';
import { runAuditVerify, type AuditVerifyOptions } from '../../../src/cli/commands/auditCommand';
import type { Database } from '../../../src/store/Database';
import type { AuditTampering } from '../../../src/store/verifyAuditChain';
import { endTampering, restoreAuditLog, snapshotAuditLog, TAMPERINGS } from '../../node/admin/auditTampering';
import { cli, removeDir, runAction, tempDir } from '../cliHarness';
import { createAuditDatabase, fillAuditLog, sandboxFreePGlite, type AuditDatabase } from './auditDatabase';

/** 2,100 entries: the verifier reads pages of 1,000, so faults at page boundaries are covered too. */
const ENTRIES = 2100;

/** Each tampering, where it is done, and what the verifier must report. */
const CASES: Array<[string, number, AuditTampering, number]> = [
  ['changed', 1000, 'changed', 1000],
  ['changed and rehashed', 1001, 'changed', 1001],
  ['removed', 1001, 'removed', 1001],
  ['removed at the end', 0, 'removed', ENTRIES],
  ['reordered', 1000, 'reordered', 1000],
  ['reordered', 7, 'reordered', 7],
  ['inserted', 500, 'inserted', 500],
  ['inserted at the end', 0, 'inserted', ENTRIES + 1],
];

interface Run {
  code: number;
  out: string;
  err: string;
}

/**
 * The embedded database runs in-process with the test runner's PGlite (see
 * pgliteEnvironment.js), so it goes through the command's action directly;
 * PostgreSQL goes through the full command line.
 */
async function auditVerify(target: AuditDatabase, json = false): Promise<Run> {
  if (target.kind === 'postgres') return cli(['audit', 'verify', '--database-url', target.databaseUrl!, ...(json ? ['--json'] : [])]);
  const opts: AuditVerifyOptions = { dataDir: target.dataDir, json };
  return runAction((ctx) => runAuditVerify(opts, ctx, { pglite: sandboxFreePGlite() }));
}

const kinds: Array<'embedded' | 'postgres'> = process.env['DATABASE_URL'] ? ['embedded', 'postgres'] : ['embedded'];

describe.each(kinds)('elicense audit verify [%s]', (kind) => {
  let target: AuditDatabase;
  /** Runs `fn` on the database; the embedded one is closed again so the command can open it. */
  const withDb = async (fn: (db: Database) => Promise<void>): Promise<void> => {
    const db = await target.open();
    try {
      await fn(db);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    target = await createAuditDatabase(kind);
    await withDb(async (db) => {
      await fillAuditLog(db, ENTRIES);
      await snapshotAuditLog(db);
    });
  }, 180_000);
  afterAll(() => target?.remove(), 60_000);

  it('an intact log → exit 0, INTACT with the entry count and head', async () => {
    const r = await auditVerify(target);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^INTACT: ${ENTRIES} audit entries, head seq ${ENTRIES} \\([0-9a-f]{64}\\)`));
  });

  it.each(CASES)('%s (at %i) → exit 1, %s at entry %i', async (name, seq, problem, firstBad) => {
    await withDb(async (db) => {
      await restoreAuditLog(db);
      await TAMPERINGS[name]!(db, seq);
    });
    const r = await auditVerify(target);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`TAMPERED: entry ${firstBad} ${problem}:`);
    const json = await auditVerify(target, true);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, problem, firstBadSeq: firstBad });
  });

  it('restored, the log verifies again (exit 0)', async () => {
    await withDb(async (db) => endTampering(db));
    const r = await auditVerify(target, true);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, count: ENTRIES, head: { seq: ENTRIES } });
  });
});

describe('elicense audit verify: unreadable → exit 2', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('audit-cli');
  });
  afterAll(() => removeDir(dir));

  it('a data directory without a node database (nothing is created there)', async () => {
    const r = await cli(['audit', 'verify', '--data-dir', join(dir, 'nothing')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no embedded node database/);
  });

  it('an unreachable PostgreSQL', async () => {
    const r = await cli(['audit', 'verify', '--database-url', 'postgres://nobody@127.0.0.1:1/none']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/could not be opened/);
  });

  it('a database that is not a node database (never migrated)', async () => {
    if (!process.env['DATABASE_URL']) return;
    const empty = await createAuditDatabase('postgres');
    try {
      const r = await cli(['audit', 'verify', '--database-url', empty.databaseUrl!]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/audit log could not be read/);
    } finally {
      await empty.remove();
    }
  });

  it('--database-url and --data-dir together', async () => {
    const r = await cli(['audit', 'verify', '--database-url', 'postgres://x@127.0.0.1/x', '--data-dir', dir]);
    expect(r.code).toBe(2);
  });
});
