import type { Command } from 'commander';
import type { ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import { parseCertificatePem } from '../../pki/certificate/parseCertificatePem';
import { validatePath } from '../../pki/path/validatePath';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { parseAt, readInput } from '../readInput';

function readPem(path: string): ParsedCertificate[] {
  try {
    const certs = parseCertificatePem(readInput(path).toString('utf8'));
    if (certs.length === 0) throw new Error('no certificate in file');
    return certs;
  } catch (e) {
    if (e instanceof CliExit) throw e;
    throw new CliExit(EXIT.UNREADABLE, `${path}: ${(e as Error).message}`);
  }
}

export function registerPki(program: Command, ctx: CliContext): void {
  const pki = program.command('pki').description('certificate tools');
  pki
    .command('validate-path')
    .description('validate a certificate path from a leaf to pinned anchors (RFC 5280 path validation)')
    .requiredOption('--leaf <pem>', 'the end-entity certificate')
    .option('--intermediates <pem...>', 'untrusted intermediate certificates (files may hold several)')
    .requiredOption('--anchors <pem>', 'trusted root certificates (a file may hold several)')
    .option('--at <iso-time>', 'validate as of this time instead of now')
    .option('--eku <oid|any>', 'required extended key usage of the leaf', 'any')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 valid path, 1 invalid path, 2 unreadable input.')
    .action((opts: { leaf: string; intermediates?: string[]; anchors: string; at?: string; eku: string; json?: boolean }) => {
      const at = parseAt(opts.at, ctx.clock.now());
      if (opts.eku !== 'any' && !/^\d+(\.\d+)+$/.test(opts.eku)) throw new CliExit(EXIT.UNREADABLE, `--eku: not an OID: ${opts.eku}`);
      const leaves = readPem(opts.leaf);
      const result = validatePath({
        leaf: leaves[0]!,
        intermediates: (opts.intermediates ?? []).flatMap(readPem),
        anchors: readPem(opts.anchors),
        time: at,
        eku: opts.eku,
      });
      const summary = result.ok
        ? {
            result: 'valid',
            chain: result.chain.map((c) => ({ subject: c.subject.text, sha256: c.fingerprint })),
            validFrom: result.validFrom.toISOString(),
            validUntil: result.validUntil.toISOString(),
          }
        : { result: 'invalid', code: result.code, message: result.message };
      ctx.out(
        opts.json
          ? JSON.stringify(summary, null, 2)
          : result.ok
            ? `VALID  ${result.chain.map((c) => c.subject.text).join(' <- ')}`
            : `INVALID  ${result.code}: ${result.message}`,
      );
      ctx.exitCode = result.ok ? EXIT.ACCEPTED : EXIT.REJECTED;
    });
}
