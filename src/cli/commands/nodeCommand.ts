import type { Command } from 'commander';
import type { CliContext } from '../CliContext';
import { EXIT } from '../exitCodes';
import { postJsonToNode } from '../nodeClient';

interface NodeOptions {
  node: string;
  apiKeyFile: string;
  json?: boolean;
}

interface MigrateOptions extends NodeOptions {
  dryRun?: boolean;
}

interface GrantChange {
  uscc: string;
  from: string;
  to: string;
  reason?: string;
}

const REQUEST_TIMEOUT_MS = 60_000;


/**
 * `elicense node migrate-type-grants`: the type grant migration through the node (docs/adr/0011): every
 * department granted a type code that another code replaced is granted the successor too, old grants kept, one
 * audit entry per department. `--dry-run` reports and changes nothing. Exit 0 done (or nothing to do), 1 refused
 * by the node (e.g. not a region admin key), 2 arguments, key file or node unusable.
 */
export async function runMigrateTypeGrants(opts: MigrateOptions, ctx: CliContext): Promise<void> {
  const dryRun = opts.dryRun === true;
  const r = await postJsonToNode(opts, 'v1/departments/type-grants/migrations', { dryRun }, REQUEST_TIMEOUT_MS);
  if (opts.json) ctx.out(JSON.stringify({ status: r.status, ...r.body }, null, 2));
  if (r.status !== 200) {
    if (!opts.json) ctx.err(`REFUSED  type grant migration: ${String(r.body['code'] ?? `HTTP_${r.status}`)}: ${String(r.body['detail'] ?? r.text.slice(0, 200))}`);
    ctx.exitCode = r.status >= 500 ? EXIT.UNREADABLE : EXIT.REJECTED;
    return;
  }
  if (!opts.json) {
    const changes = (r.body['changes'] ?? []) as GrantChange[];
    const skipped = (r.body['skipped'] ?? []) as GrantChange[];
    const verb = dryRun ? 'WOULD GRANT' : 'GRANTED';
    for (const c of changes) ctx.out(`${verb}  ${c.uscc}  ${c.to} (successor of ${c.from}, kept)`);
    for (const s of skipped) ctx.out(`SKIPPED  ${s.uscc}  ${s.to} (successor of ${s.from}): ${s.reason ?? ''}`);
    const departments = new Set(changes.map((c) => c.uscc)).size;
    ctx.out(
      changes.length === 0
        ? 'nothing to migrate: every department holds the successor of each replaced type code it is granted'
        : `${dryRun ? 'dry run: would grant' : 'granted'} ${changes.length} successor type code(s) to ${departments} department(s)${dryRun ? '; nothing changed' : ''}`,
    );
  }
  ctx.exitCode = EXIT.ACCEPTED;
}

export function registerNode(program: Command, ctx: CliContext): void {
  const node = program.command('node').description('region administration through a running issuing node');
  node
    .command('migrate-type-grants')
    .description(
      'grant every department the successor of each replaced type code it holds (a placeholder replaced by the national code), keeping the old grant; one audit entry per department; a second run changes nothing',
    )
    .requiredOption('--node <url>', 'the issuing node, e.g. http://localhost:8080')
    .requiredOption('--api-key-file <file>', "file holding the region admin's API key (never on the command line)")
    .option('--dry-run', 'report the grants that would be added, change nothing')
    .option('--json', "print the node's answer as JSON")
    .addHelpText('after', '\nExit codes: 0 done (or nothing to do), 1 refused by the node (e.g. not a region admin key), 2 arguments, key file or node unusable.')
    .action((opts: MigrateOptions) => runMigrateTypeGrants(opts, ctx));
}
