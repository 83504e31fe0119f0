import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { softwareKeySigner } from '../../src/crypto/softwareKeySigner';
import { generateKeyPair } from '../../src/pki/ca/generateKeyPair';
import { issueDepartmentCertificate } from '../../src/pki/ca/issueDepartmentCertificate';
import { issueRootCa } from '../../src/pki/ca/issueRootCa';
import { OID } from '../../src/pki/oids';
import { cli, cliJson, makeDemo, removeDir, tempDir } from './cliHarness';

interface PathJson {
  result: 'valid' | 'invalid';
  code?: string;
  message?: string;
  chain?: Array<{ subject: string; sha256: string }>;
  validFrom?: string;
  validUntil?: string;
}

let dir: string;
let pki: string;
let leaf: string;
let intermediate: string;
let root: string;
let leafCert: X509Certificate;

const validate = (extra: string[], withIntermediate = true) =>
  cliJson<PathJson>(['pki', 'validate-path', '--leaf', leaf, ...(withIntermediate ? ['--intermediates', intermediate] : []), '--anchors', root, '--json', ...extra]);

beforeAll(async () => {
  dir = tempDir('cli-pki');
  pki = join(await makeDemo(dir), 'pki');
  leaf = join(pki, 'departments', 'fz-market-regulation', 'certificate.pem');
  intermediate = join(pki, 'intermediates', 'fuzhou', 'certificate.pem');
  root = join(pki, 'root', 'certificate.pem');
  leafCert = new X509Certificate(readFileSync(leaf));
});
afterAll(() => removeDir(dir));

describe('elicense pki validate-path', () => {
  it('a department certificate with its intermediate and the root → 0, the chain leaf to root', async () => {
    const r = await validate([]);
    expect(r.code).toBe(0);
    expect(r.json.result).toBe('valid');
    const fingerprints = [leaf, intermediate, root].map((f) => new X509Certificate(readFileSync(f)).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(r.json.chain!.map((c) => c.sha256)).toEqual(fingerprints);
    expect(r.json.chain![0]!.subject).toContain('NTRCN-11350100DM00000133');
    expect(new Date(r.json.validUntil!).getTime()).toBeLessThanOrEqual(new Date(leafCert.validTo).getTime());
  });

  it('without --json prints VALID and the chain', async () => {
    const r = await cli(['pki', 'validate-path', '--leaf', leaf, '--intermediates', intermediate, '--anchors', root]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^VALID /);
    expect(r.out).toContain(' <- ');
  });

  it('a department directly under the root needs no intermediate', async () => {
    const r = await cliJson<PathJson>(['pki', 'validate-path', '--leaf', join(pki, 'departments', 'fj-degrees', 'certificate.pem'), '--anchors', root, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.chain).toHaveLength(2);
  });

  it('several intermediates files and a bundle holding several certificates are accepted', async () => {
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, readFileSync(join(pki, 'timestamp-authority', 'certificate.pem'), 'utf8') + readFileSync(intermediate, 'utf8'));
    const r = await cliJson<PathJson>(['pki', 'validate-path', '--leaf', leaf, '--intermediates', join(pki, 'trust-list-signer', 'certificate.pem'), bundle, '--anchors', root, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.chain).toHaveLength(3);
  });

  it('without the intermediate → 1 CHAIN_UNTRUSTED', async () => {
    const r = await validate([], false);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ result: 'invalid', code: 'CHAIN_UNTRUSTED' });
    const text = await cli(['pki', 'validate-path', '--leaf', leaf, '--anchors', root]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^INVALID +CHAIN_UNTRUSTED/);
  });

  it('pinning the intermediate itself as the anchor → 0', async () => {
    // Anchors are whatever the operator pins; pinning the intermediate is allowed.
    const r = await cliJson<PathJson>(['pki', 'validate-path', '--leaf', leaf, '--anchors', intermediate, '--json']);
    expect(r.code).toBe(0);
  });

  it('a certificate that did not issue the chain (the TSA) as the only anchor → 1', async () => {
    const other = join(dir, 'tsa-as-anchor.pem');
    writeFileSync(other, readFileSync(join(pki, 'timestamp-authority', 'certificate.pem')));
    const r = await cliJson<PathJson>(['pki', 'validate-path', '--leaf', leaf, '--intermediates', intermediate, '--anchors', other, '--json']);
    expect(r.code).toBe(1);
    expect(r.json.result).toBe('invalid');
  });

  it('--at after the department certificate expired → 1 CERT_EXPIRED', async () => {
    const after = new Date(new Date(leafCert.validTo).getTime() + 86_400_000).toISOString();
    const r = await validate(['--at', after]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ result: 'invalid', code: 'CERT_EXPIRED' });
  });

  it('--at before the department certificate was issued → 1 CERT_NOT_YET_VALID', async () => {
    const before = new Date(new Date(leafCert.validFrom).getTime() - 86_400_000).toISOString();
    const r = await validate(['--at', before]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ result: 'invalid', code: 'CERT_NOT_YET_VALID' });
  });

  it('--at inside the validity period → 0', async () => {
    const inside = new Date(new Date(leafCert.validTo).getTime() - 86_400_000).toISOString();
    expect((await validate(['--at', inside])).code).toBe(0);
  });

  it('--eku serverAuth → 1 (department certificates sign licences only)', async () => {
    const r = await validate(['--eku', '1.3.6.1.5.5.7.3.1']);
    expect(r.code).toBe(1);
    expect(r.json.result).toBe('invalid');
    expect(r.json.code).toMatch(/EKU/);
  });

  it('--eku with the licence-signing OID → 0; the time-stamping OID → 1', async () => {
    expect((await validate(['--eku', OID.ekuLicenseSigning])).code).toBe(0);
    expect((await validate(['--eku', OID.ekuTimeStamping])).code).toBe(1);
  });

  it('the time-stamping certificate validates for time-stamping', async () => {
    const r = await cliJson<PathJson>(['pki', 'validate-path', '--leaf', join(pki, 'timestamp-authority', 'certificate.pem'), '--anchors', root, '--eku', OID.ekuTimeStamping, '--json']);
    expect(r.code).toBe(0);
  });

  const malformed: Array<[string, string]> = [
    ['bad DER inside a PEM block', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
    ['bad base64 inside a PEM block', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n'],
    ['no PEM block at all', 'hello\n'],
    ['an empty file', ''],
    ['a private key instead of a certificate', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
  ];
  it.each(malformed)('a leaf with %s → 2', async (name, text) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.pem`);
    writeFileSync(file, text);
    const r = await cli(['pki', 'validate-path', '--leaf', file, '--intermediates', intermediate, '--anchors', root, '--json']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(file);
  });

  it('malformed anchors or intermediates → 2', async () => {
    const file = join(dir, 'garbage.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect((await cli(['pki', 'validate-path', '--leaf', leaf, '--intermediates', file, '--anchors', root])).code).toBe(2);
    expect((await cli(['pki', 'validate-path', '--leaf', leaf, '--intermediates', intermediate, '--anchors', file])).code).toBe(2);
  });

  it('an SM2 chain (SM3withSM2, default ID) made by our CA → 0; the SM2 department under a P-256 root → 1 ALGORITHM_MIXED', async () => {
    const now = new Date(Date.now() - 60_000);
    const sm2Root = await generateKeyPair('SM2');
    const rootSigner = softwareKeySigner(sm2Root.privateKey);
    const rootCert = await issueRootCa({ subject: { commonName: 'SM2 Root' }, publicKey: sm2Root.publicKey, validityYears: 5, pathLen: 0 }, rootSigner, { now });
    const deptKeys = await generateKeyPair('SM2');
    const dept = await issueDepartmentCertificate({ certificate: rootCert.der, signer: rootSigner }, { department: { name: '福州市民政局', uscc: '11350100DM0000021X', divisionCode: '350100' }, publicKey: deptKeys.publicKey, validityDays: 30 }, { now });
    const files = { root: join(dir, 'sm2-root.pem'), dept: join(dir, 'sm2-dept.pem') };
    writeFileSync(files.root, rootCert.pem);
    writeFileSync(files.dept, dept.pem);
    const ok = await cliJson<PathJson>(['pki', 'validate-path', '--leaf', files.dept, '--anchors', files.root, '--json']);
    expect({ code: ok.code, result: ok.json.result, length: ok.json.chain?.length }).toEqual({ code: 0, result: 'valid', length: 2 });
    if (spawnSync('openssl', ['version']).status !== 0) return console.warn('openssl not found: the mixed-chain part is skipped');
    // An SM2 key certified by a P-256 root, made by openssl (our CA refuses to make one).
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'p256root.key');
    run('req', '-x509', '-new', '-key', 'p256root.key', '-sha256', '-subj', '/CN=P-256 Root', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', 'p256root.pem');
    run('genpkey', '-algorithm', 'SM2', '-out', 'mixed.key');
    run('req', '-new', '-key', 'mixed.key', '-subj', '/CN=mixed', '-out', 'mixed.csr');
    writeFileSync(join(dir, 'mixed.cnf'), '[v3]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
    run('x509', '-req', '-in', 'mixed.csr', '-CA', 'p256root.pem', '-CAkey', 'p256root.key', '-sha256', '-days', '10', '-set_serial', '9', '-extfile', 'mixed.cnf', '-extensions', 'v3', '-out', 'mixed.pem');
    const mixed = await cliJson<PathJson>(['pki', 'validate-path', '--leaf', join(dir, 'mixed.pem'), '--anchors', join(dir, 'p256root.pem'), '--json']);
    expect({ code: mixed.code, result: mixed.json.result, why: mixed.json.code }).toEqual({ code: 1, result: 'invalid', why: 'ALGORITHM_MIXED' });
  });

  it('a missing file → 2', async () => {
    const r = await cli(['pki', 'validate-path', '--leaf', join(dir, 'nope.pem'), '--anchors', root]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('ENOENT');
  });

  it.each([
    [['--at', 'next tuesday']],
    [['--eku', 'serverAuth']],
    [['--eku', '1.']],
  ])('%j → 2', async (extra) => {
    const r = await cli(['pki', 'validate-path', '--leaf', leaf, '--intermediates', intermediate, '--anchors', root, ...extra]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(extra[0]!);
  });
});
