#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { systemClock } from '../clock';
import { isElicenseError } from '../errors';
import { StandardsCatalog } from '../standards/StandardsCatalog';
import type { CliContext } from './CliContext';
import { CliExit, EXIT } from './exitCodes';
import { registerAudit } from './commands/auditCommand';
import { registerCa } from './commands/caCommand';
import { registerDemo } from './commands/demoCommand';
import { registerFederation } from './commands/federationCommand';
import { registerIssue } from './commands/issueCommand';
import { registerInit } from './commands/initCommand';
import { registerIssueBatch } from './commands/issueBatchCommand';
import { registerLicense } from './commands/licenseCommand';
import { registerNode } from './commands/nodeCommand';
import { registerPki } from './commands/pkiCommand';
import { registerVerify } from './commands/verifyCommand';

/** Composition root of the command line: builds the context and wires every command. */
export async function runCli(argv: readonly string[], io: Pick<CliContext, 'out' | 'err'>, env = process.env): Promise<number> {
  let catalog: StandardsCatalog | undefined;
  const ctx: CliContext = {
    clock: systemClock,
    env,
    catalog: () => (catalog ??= StandardsCatalog.load()),
    out: io.out,
    err: io.err,
    exitCode: EXIT.ACCEPTED,
  };
  const program = new Command('elicense')
    .description('elicense: issue and verify electronic licences offline')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showHelpAfterError();
  registerDemo(program, ctx);
  registerVerify(program, ctx);
  registerIssue(program, ctx);
  registerCa(program, ctx);
  registerPki(program, ctx);
  registerInit(program, ctx);
  registerAudit(program, ctx);
  registerIssueBatch(program, ctx);
  registerFederation(program, ctx);
  registerLicense(program, ctx);
  registerNode(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end "successfully"; usage errors are unreadable input.
      return e.exitCode === 0 ? EXIT.ACCEPTED : EXIT.UNREADABLE;
    }
    if (e instanceof CliExit) {
      io.err(`elicense: ${e.message}`);
      return e.exitCode;
    }
    if (isElicenseError(e)) {
      io.err(`elicense: ${e.code}: ${e.message}`);
      return EXIT.UNREADABLE;
    }
    // A path the command cannot create or write (a file where a folder should be, no permission):
    // a bad argument like any other, reported in one line rather than as an internal error.
    // Duck-typed: Node's system errors are not always instanceof this realm's Error (vm contexts, jest).
    const sys = e as NodeJS.ErrnoException | null;
    if (typeof sys === 'object' && sys !== null && typeof sys.code === 'string' && typeof sys.syscall === 'string') {
      io.err(`elicense: ${sys.path ?? ''}: ${sys.code} (${sys.syscall})`);
      return EXIT.UNREADABLE;
    }
    throw e;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`elicense: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
