import type { Command } from 'commander';
import { parseStrictJson } from '../../json/parseStrictJson';
import { initRegion } from '../../region/bootstrap/initRegion';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { readInput, readPassphrase } from '../readInput';

/** `elicense init`: production set-up of the issuing node's region from a reviewed ceremony file. */
export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('set up a production region in the node database (DATABASE_URL, else the embedded one in --data-dir) from a reviewed ceremony file: no demo data, one region admin API key (shown once), the root key written to an offline PKCS#12 file only')
    .requiredOption('--ceremony <file>', 'ceremony config (see src/pki/ca/ceremony.schema.json)')
    .option('--data-dir <dir>', 'node data directory (default ELICENSE_DATA_DIR or ./data)')
    .option('--passphrase-file <file>', 'file holding the passphrase of the root key file (else ELICENSE_PASSPHRASE)')
    .option('--root-key-out <file>', 'where to write the root key (PKCS#12; default <data dir>/OFFLINE-root-ca.p12); move it offline')
    .option('--pkcs12-iterations <n>', 'PBKDF2 iterations protecting the root key file')
    .action(async (opts: { ceremony: string; dataDir?: string; passphraseFile?: string; rootKeyOut?: string; pkcs12Iterations?: string }) => {
      const passphrase = readPassphrase(opts.passphraseFile, ctx.env);
      let iterations: number | undefined;
      if (opts.pkcs12Iterations !== undefined) {
        iterations = Number(opts.pkcs12Iterations);
        if (!Number.isInteger(iterations) || iterations < 1000 || iterations > 10_000_000) throw new CliExit(EXIT.UNREADABLE, '--pkcs12-iterations: a whole number, 1000 to 10000000');
      }
      let ceremony: unknown;
      try {
        ceremony = parseStrictJson(readInput(opts.ceremony));
      } catch (e) {
        throw new CliExit(EXIT.UNREADABLE, `${opts.ceremony}: ${(e as Error).message}`);
      }
      const { setUp, adminKey, rootKeyFile } = await initRegion({
        env: ctx.env,
        ceremony,
        passphrase,
        clock: ctx.clock,
        ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
        ...(opts.rootKeyOut !== undefined ? { rootKeyOut: opts.rootKeyOut } : {}),
        ...(iterations !== undefined ? { pkcs12Iterations: iterations } : {}),
      });
      const root = setUp.pki.record.certificates.find((c) => c.role === 'root');
      ctx.out(`region ${setUp.region.code} ${setUp.region.name} set up (production)`);
      ctx.out(`departments: ${setUp.pki.departments.length}; root certificate SHA-256 (what peers pin): ${root?.sha256Fingerprint ?? '?'}`);
      ctx.out(`root key: ${rootKeyFile} — move it offline; the node does not keep it`);
      ctx.out(`region admin API key (shown once, store it now): ${adminKey.secret}`);
    });
}
