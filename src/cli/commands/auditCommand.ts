import type { Command } from 'commander';
import { auditVerificationView } from '../../region/audit/auditViews';
import { verifyAuditLogOfDatabase, type StoredAuditVerification } from '../../region/audit/verifyStoredAuditLog';
import type { CliContext } from '../CliContext';
import { openNodeDatabase, type NodeDatabaseDeps, type NodeDatabaseOptions } from '../openNodeDatabase';
import { CliExit, EXIT } from '../exitCodes';

export interface AuditVerifyOptions extends NodeDatabaseOptions {
  json?: boolean | undefined;
}

export type AuditCommandDeps = NodeDatabaseDeps;

function describeResult(result: StoredAuditVerification): string[] {
  if (result.ok) return [`INTACT: ${result.count} audit entries, head seq ${result.head.seq} (${result.head.entryHash})`];
  const lines = [`TAMPERED: entry ${result.firstBadSeq} ${result.problem}: ${result.message}`];
  const e = result.entry;
  if (e) {
    lines.push(`  seq ${e.seq}  at ${e.at.toISOString()}  actor ${e.actor}  action ${e.action}  subject ${e.subject}`);
    lines.push(`  details ${JSON.stringify(e.details)}`);
    lines.push(`  prev_hash ${e.prevHash}`, `  entry_hash ${e.entryHash}`);
  } else {
    lines.push(`  (no entry ${result.firstBadSeq} is stored)`);
  }
  return lines;
}

/** `elicense audit verify`: the whole hash chain read straight from the database. Exit 0 intact, 1 tampered, 2 unreadable. */
export async function runAuditVerify(opts: AuditVerifyOptions, ctx: CliContext, deps: AuditCommandDeps = {}): Promise<void> {
  const db = await openNodeDatabase(opts, ctx, deps);
  let result: StoredAuditVerification;
  try {
    result = await verifyAuditLogOfDatabase(db);
  } catch (e) {
    throw new CliExit(EXIT.UNREADABLE, `the audit log could not be read (is this an elicense node database?): ${(e as Error).message}`);
  } finally {
    await db.close().catch(() => undefined);
  }
  if (opts.json) ctx.out(JSON.stringify(auditVerificationView(result), null, 2));
  else for (const line of describeResult(result)) ctx.out(line);
  ctx.exitCode = result.ok ? EXIT.ACCEPTED : EXIT.REJECTED;
}

export function registerAudit(program: Command, ctx: CliContext, deps: AuditCommandDeps = {}): void {
  const audit = program.command('audit').description("the issuing node's hash-chained audit log");
  audit
    .command('verify')
    .description('verify the audit chain straight from the database: detects changed, removed, reordered and inserted entries')
    .option('--database-url <url>', 'PostgreSQL of the node (default: DATABASE_URL)')
    .option('--data-dir <dir>', 'data directory of a node on the embedded database, stopped first (default: ELICENSE_DATA_DIR or ./data)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 intact, 1 tampered (the first bad entry is printed), 2 database unreadable.')
    .action(async (opts: AuditVerifyOptions) => {
      if (opts.databaseUrl !== undefined && opts.dataDir !== undefined) throw new CliExit(EXIT.UNREADABLE, 'give --database-url or --data-dir, not both');
      await runAuditVerify(opts, ctx, deps);
    });
}
