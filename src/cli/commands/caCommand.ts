import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import { parseStrictJson } from '../../json/parseStrictJson';
import { runCeremony } from '../../pki/ca/ceremony';
import { encodePem } from '../../pki/ca/encodePem';
import { softwareKeySigner } from '../../crypto/softwareKeySigner';
import { generateKeyPair } from '../../pki/ca/generateKeyPair';
import { issueDepartmentCertificate } from '../../pki/ca/issueDepartmentCertificate';
import { issueDepartmentCertificateFromCsr } from '../../pki/ca/issueDepartmentCertificateFromCsr';
import { algorithmForKey, EDDSA_DEPARTMENT_KEY_REFUSAL, isDepartmentKeyAlgorithm, type JwsAlgorithm } from '../../crypto/algorithms';
import { publicKeyFromCsr } from '../../pki/ca/publicKeyFromCsr';
import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import { DEFAULT_PKCS12_ITERATIONS, exportPkcs12 } from '../../pki/pkcs12/exportPkcs12';
import { importPkcs12 } from '../../pki/pkcs12/importPkcs12';
import { buildLocalTrustFile } from '../../trust/local/buildLocalTrustFile';
import { loadLocalTrustFile, type LocalTrustFile } from '../../trust/local/loadLocalTrustFile';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { readInput, readPassphrase } from '../readInput';
import { writeRegionPki } from '../regionPkiFiles';
import { TRUST_FILE_NAME } from './verifyCommand';

/** Checked before any key is made, so a typo never leaves a half-written ceremony behind. */
function parseIterations(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1000 || n > 10_000_000) throw new CliExit(EXIT.UNREADABLE, `--pkcs12-iterations: a whole number, 1000 to 10000000, not ${value}`);
  return n;
}

function refuseNonEmpty(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new CliExit(EXIT.UNREADABLE, `${dir} is not empty: a ceremony never overwrites existing keys`);
  }
}

export function registerCa(program: Command, ctx: CliContext): void {
  const ca = program.command('ca').description('region certificate authority: ceremony and department certificates');

  ca.command('init')
    .description('run the region CA ceremony from a reviewed config file; writes keys (PKCS#12), certificates, the review record and the trust file')
    .requiredOption('--ceremony <file>', 'ceremony config (see fixtures/ceremony/demo-region.json and src/pki/ca/ceremony.schema.json)')
    .requiredOption('--out <dir>', 'new, empty directory for the region PKI')
    .option('--passphrase-file <file>', 'file holding the passphrase that protects every key file (else ELICENSE_PASSPHRASE)')
    .option('--pkcs12-iterations <n>', 'PBKDF2 iterations protecting the key files', String(DEFAULT_PKCS12_ITERATIONS))
    .action(async (opts: { ceremony: string; out: string; passphraseFile?: string; pkcs12Iterations: string }) => {
      refuseNonEmpty(opts.out);
      const iterations = parseIterations(opts.pkcs12Iterations);
      const passphrase = readPassphrase(opts.passphraseFile, ctx.env);
      let config: unknown;
      try {
        config = parseStrictJson(readInput(opts.ceremony));
      } catch (e) {
        throw new CliExit(EXIT.UNREADABLE, `${opts.ceremony}: ${(e as Error).message}`);
      }
      const now = ctx.clock.now();
      const pki = await runCeremony(config, { now });
      writeRegionPki(opts.out, pki, passphrase, { iterations });
      mkdirSync(join(opts.out, 'trust'), { recursive: true });
      writeFileSync(join(opts.out, 'trust', TRUST_FILE_NAME), JSON.stringify(buildLocalTrustFile([pki], now), null, 2));
      writeFileSync(join(opts.out, 'trust', 'anchors.pem'), pki.root.certificate.pem);
      ctx.out(`ceremony for ${pki.region.name} (${pki.region.code}) done: ${pki.record.certificates.length} certificates in ${opts.out}`);
      for (const w of pki.record.warnings) ctx.out(`  warning: ${typeof w === 'string' ? w : JSON.stringify(w)}`);
      ctx.out(`review ${join(opts.out, 'ceremony-record.json')}; hand ${join(opts.out, 'trust')} to verifiers`);
    });

  ca.command('issue-department')
    .description('certify a department signing key (generated here, or from the department\'s own CSR)')
    .requiredOption('--ca-key <p12>', 'PKCS#12 of the issuing CA (root or intermediate)')
    .requiredOption('--name <name>', 'department name (subject O)')
    .requiredOption('--uscc <code>', 'department unified social credit code')
    .requiredOption('--division <code>', 'GB/T 2260 division code')
    .option('--csr <file>', 'PKCS#10 request from the department (its private key never leaves it)')
    .option('--algorithm <alg>', 'key algorithm when generating: ES256, PS256 or SM2 (SM2 only under an SM2 CA); EdDSA is no longer offered for department keys', 'ES256')
    .option('--validity-days <n>', 'certificate validity in days', '730')
    .option('--types <codes>', 'comma-separated licence type codes to authorise in the trust file')
    .option('--trust <dir>', `add the department and key id to DIR/${TRUST_FILE_NAME}`)
    .requiredOption('--out <dir>', 'new, empty directory for certificate.pem (and key.p12 when generated)')
    .option('--passphrase-file <file>', 'file holding the passphrase (CA key and new key file; else ELICENSE_PASSPHRASE)')
    .option('--pkcs12-iterations <n>', 'PBKDF2 iterations protecting the new key file', String(DEFAULT_PKCS12_ITERATIONS))
    .action(async (opts: { caKey: string; name: string; uscc: string; division: string; csr?: string; algorithm: string; validityDays: string; types?: string; trust?: string; out: string; passphraseFile?: string; pkcs12Iterations: string }) => {
      refuseNonEmpty(opts.out);
      const iterations = parseIterations(opts.pkcs12Iterations);
      const types = (opts.types ?? '').split(',').map((t) => t.trim()).filter(Boolean);
      const badType = types.find((t) => !/^[0-9A-Z]{21}$/.test(t));
      if (badType !== undefined) throw new CliExit(EXIT.UNREADABLE, `--types: not a 21-character licence type code: ${badType}`);
      const validityDays = Number(opts.validityDays);
      if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) throw new CliExit(EXIT.UNREADABLE, '--validity-days: a whole number of days, 1 to 3650');
      if (opts.algorithm === 'EdDSA') throw new CliExit(EXIT.UNREADABLE, `--algorithm: ${EDDSA_DEPARTMENT_KEY_REFUSAL}`);
      if (!isDepartmentKeyAlgorithm(opts.algorithm)) throw new CliExit(EXIT.UNREADABLE, `--algorithm: ES256, PS256 or SM2, not ${opts.algorithm}`);
      // The trust file is read and checked before anything is certified, so a problem with it leaves nothing behind.
      const trustPath = opts.trust ? join(opts.trust, TRUST_FILE_NAME) : undefined;
      let trustFile: LocalTrustFile | undefined;
      let trustEntry: LocalTrustFile['regions'][number]['departments'][number] | undefined;
      let trustRegion: LocalTrustFile['regions'][number] | undefined;
      if (trustPath) {
        const bytes = readInput(trustPath);
        loadLocalTrustFile(bytes, trustPath);
        trustFile = JSON.parse(bytes.toString('utf8')) as LocalTrustFile;
        trustEntry = trustFile.regions.flatMap((r) => r.departments).find((d) => d.uscc === opts.uscc);
        trustRegion = trustFile.regions.find((r) => r.regionCode.slice(0, 2) === opts.division.slice(0, 2));
        if (!trustEntry && !trustRegion) throw new CliExit(EXIT.UNREADABLE, `${trustPath}: no region for division ${opts.division}`);
      }
      const passphrase = readPassphrase(opts.passphraseFile, ctx.env);
      const caKey = importPkcs12(readInput(opts.caKey), passphrase);
      const issuer = { certificate: caKey.certificateChain[0]!, signer: softwareKeySigner(caKey.privateKey) };
      const department = { name: opts.name, uscc: opts.uscc, divisionCode: opts.division };
      const issue = { now: ctx.clock.now(), randomBytes: (n: number) => new Uint8Array(randomBytes(n)) };
      // The chain a signer sends: its own certificate, then the CA's chain up to (not including) the root.
      // A CA key file holds its own certificate first and may or may not end with the self-issued root.
      const caChain = [...caKey.certificateChain];
      if (caChain.length > 0 && parseCertificate(caChain[caChain.length - 1]!).selfIssued) caChain.pop();
      mkdirSync(opts.out, { recursive: true });
      let certificate;
      if (opts.csr) {
        const csrBytes = readInput(opts.csr);
        // PEM or DER: the CSR reader takes PEM as text and DER as bytes.
        const csr = csrBytes.subarray(0, 10).toString('latin1') === '-----BEGIN' ? csrBytes.toString('utf8') : csrBytes;
        if (algorithmForKey(publicKeyFromCsr(csr)) === 'EdDSA') throw new CliExit(EXIT.UNREADABLE, `--csr: the request's key is Ed25519. ${EDDSA_DEPARTMENT_KEY_REFUSAL}`);
        certificate = await issueDepartmentCertificateFromCsr(issuer, { department, csr, validityDays }, issue);
      } else {
        const { privateKey, publicKey } = await generateKeyPair(opts.algorithm as JwsAlgorithm);
        certificate = await issueDepartmentCertificate(issuer, { department, publicKey, validityDays }, issue);
        writeFileSync(join(opts.out, 'key.p12'), exportPkcs12({ privateKey, certificateChain: [certificate.der, ...caChain], friendlyName: opts.name }, passphrase, { iterations }), { mode: 0o600 });
      }
      writeFileSync(join(opts.out, 'certificate.pem'), certificate.pem);
      writeFileSync(join(opts.out, 'chain.pem'), [certificate.der, ...caChain].map((der) => encodePem(der, 'CERTIFICATE')).join(''));
      const keyId = keyIdForCertificate(certificate.der);
      ctx.out(`certified ${opts.name} (${opts.uscc}); key id ${keyId}`);
      if (trustPath && trustFile) {
        if (trustEntry) {
          trustEntry.keyIds = [...new Set([...trustEntry.keyIds, keyId])];
          trustEntry.authorizedTypeCodes = [...new Set([...trustEntry.authorizedTypeCodes, ...types])];
        } else {
          trustRegion!.departments.push({ uscc: opts.uscc, name: opts.name, keyIds: [keyId], authorizedTypeCodes: types, state: 'active', stateSince: null });
        }
        trustFile.generatedAt = ctx.clock.now().toISOString();
        loadLocalTrustFile(JSON.stringify(trustFile), trustPath); // refuse to write a trust file we could not read back
        writeFileSync(trustPath, JSON.stringify(trustFile, null, 2));
        ctx.out(`updated ${trustPath}`);
      }
    });
}
