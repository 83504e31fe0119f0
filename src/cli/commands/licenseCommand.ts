import type { Command } from 'commander';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { postJsonToNode } from '../nodeClient';

const ACTIONS = ['revoke', 'suspend', 'reinstate'] as const;
type LifecycleAction = (typeof ACTIONS)[number];

interface LifecycleOptions {
  node: string;
  apiKeyFile: string;
  reason: string;
  json?: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * `elicense licence revoke|suspend|reinstate ID`: the lifecycle change through
 * the issuing node (the system of record), with a reason that goes into the
 * licence's history and the audit log. Exit 0 done, 1 refused by the node
 * (no such licence, another department's, already in that state), 2 bad
 * arguments, unreadable key file, node unreachable or key refused.
 */
export async function runLifecycle(action: LifecycleAction, identifier: string, opts: LifecycleOptions, ctx: CliContext): Promise<void> {
  const reason = opts.reason.trim();
  if (reason === '') throw new CliExit(EXIT.UNREADABLE, '--reason must say why');
  const res = await postJsonToNode(opts, `v1/licenses/${encodeURIComponent(identifier)}/${action}`, { reason }, REQUEST_TIMEOUT_MS);
  const { body, text } = res;
  if (opts.json) ctx.out(JSON.stringify({ status: res.status, ...body }, null, 2));
  if (res.ok) {
    if (!opts.json) ctx.out(`${String(body['status'] ?? action).toUpperCase()}  ${identifier} (was ${String(body['previousStatus'] ?? '?')}): ${reason}`);
    ctx.exitCode = EXIT.ACCEPTED;
    return;
  }
  if (!opts.json) ctx.err(`REFUSED  ${identifier}: ${String(body['code'] ?? `HTTP_${res.status}`)}: ${String(body['detail'] ?? text.slice(0, 200))}`);
  ctx.exitCode = res.status >= 500 ? EXIT.UNREADABLE : EXIT.REJECTED;
}

export function registerLicense(program: Command, ctx: CliContext): void {
  const license = program.command('licence').description("a licence's lifecycle through its issuing node");
  for (const action of ACTIONS) {
    license
      .command(action)
      .argument('<identifier>', 'the licence identifier (GB/T 36904)')
      .description(`${action} a licence through the node that issued it (issuer of its department, or region admin); the reason goes into its history and the audit log`)
      .requiredOption('--node <url>', 'the issuing node, e.g. http://localhost:8080')
      .requiredOption('--api-key-file <file>', 'file holding the API key (never on the command line)')
      .requiredOption('--reason <text>', 'why (required)')
      .option('--json', "print the node's answer as JSON")
      .addHelpText('after', '\nExit codes: 0 done, 1 refused by the node (unknown licence, not yours, already in that state), 2 arguments, key file or node unusable.')
      .action((identifier: string, opts: LifecycleOptions) => runLifecycle(action, identifier, opts, ctx));
  }
}
