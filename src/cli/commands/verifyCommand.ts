import { join } from 'node:path';
import type { Command } from 'commander';
import { loadLocalTrustFile } from '../../trust/loadLocalTrustFile';
import { verifyLicense } from '../../verify/verifyLicense';
import { REASON_CODES } from '../../verify/reasonCodes';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { formatResult } from '../formatResult';
import { parseAt, readInput } from '../readInput';

export const TRUST_FILE_NAME = 'trust.json';

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description('verify a licence offline (full-form JSON today; QR text, QR image and PDF arrive with the forms feature)')
    .argument('<file>', 'licence file, or - for standard input')
    .option('--trust <dir>', `directory holding ${TRUST_FILE_NAME} (pinned roots and departments)`, 'trust')
    .option('--at <iso-time>', 'verify as of this time instead of now')
    .option('--json', 'print the verification result as JSON')
    .addHelpText('after', '\nExit codes: 0 accepted, 1 rejected, 2 input or trust material unreadable.')
    .action((file: string, opts: { trust: string; at?: string; json?: boolean }) => {
      const at = parseAt(opts.at, ctx.clock.now());
      const trustPath = join(opts.trust, TRUST_FILE_NAME);
      let trust;
      try {
        trust = loadLocalTrustFile(readInput(trustPath), trustPath);
      } catch (e) {
        throw new CliExit(EXIT.UNREADABLE, (e as Error).message);
      }
      const result = verifyLicense(readInput(file), { trust, catalog: ctx.catalog(), at });
      ctx.out(opts.json ? JSON.stringify(result, null, 2) : formatResult(result, file));
      const unreadable = result.reasons.some((r) => REASON_CODES[r] === 'format');
      ctx.exitCode = result.result === 'accepted' ? EXIT.ACCEPTED : unreadable ? EXIT.UNREADABLE : EXIT.REJECTED;
    });
}
