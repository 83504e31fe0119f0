import { join } from 'node:path';
import type { Command } from 'commander';
import { verifyAnyForm, type AnyFormResult } from '../../forms/verifyAnyForm';
import { loadLocalTrustFile } from '../../trust/loadLocalTrustFile';
import { REASON_CODES } from '../../verify/reasonCodes';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { formatResult } from '../formatResult';
import { parseAt, readInput } from '../readInput';

export const TRUST_FILE_NAME = 'trust.json';

/** Terminal lines for what is particular to the presented form (the PDF's own checks). */
function formLines(result: AnyFormResult): string {
  const lines = [`  form:    ${result.form}`];
  if (result.pdf) lines.push(`  pdf:     ${JSON.stringify(result.pdf)}`);
  return lines.join('\n');
}

/** 0 accepted; 2 when the input could not be read as a licence at all; 1 otherwise. */
export function exitCodeOf(result: AnyFormResult): number {
  if (result.result === 'accepted') return EXIT.ACCEPTED;
  return result.reasons.some((r) => REASON_CODES[r] === 'format') ? EXIT.UNREADABLE : EXIT.REJECTED;
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description('verify a licence offline in any form: full-form JSON, QR text (LC1:...), a PNG or JPEG image of the QR, or the licence PDF (detected from the content)')
    .argument('<file>', 'licence file, or - for standard input')
    .option('--trust <dir>', `directory holding ${TRUST_FILE_NAME} (pinned roots and departments)`, 'trust')
    .option('--at <iso-time>', 'verify as of this time instead of now')
    .option('--json', 'print the verification result as JSON')
    .addHelpText('after', '\nExit codes: 0 accepted, 1 rejected, 2 input or trust material unreadable.')
    .action(async (file: string, opts: { trust: string; at?: string; json?: boolean }) => {
      const at = parseAt(opts.at, ctx.clock.now());
      const trustPath = join(opts.trust, TRUST_FILE_NAME);
      let trust;
      try {
        trust = loadLocalTrustFile(readInput(trustPath), trustPath);
      } catch (e) {
        throw new CliExit(EXIT.UNREADABLE, (e as Error).message);
      }
      const result = await verifyAnyForm(readInput(file), { trust, catalog: ctx.catalog(), at });
      ctx.out(opts.json ? JSON.stringify(result, null, 2) : `${formatResult(result, file)}\n${formLines(result)}`);
      ctx.exitCode = exitCodeOf(result);
    });
}
