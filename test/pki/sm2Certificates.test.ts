import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { softwareKeySigner } from '../../src/crypto/softwareKeySigner';
import { encodeBitString, encodeSequence } from '../../src/pki/ca/der/encodeDer';
import { decodePem } from '../../src/pki/ca/encodePem';
import { generateKeyPair } from '../../src/pki/ca/generateKeyPair';
import { issueDepartmentCertificate } from '../../src/pki/ca/issueDepartmentCertificate';
import { issueDepartmentCertificateFromCsr } from '../../src/pki/ca/issueDepartmentCertificateFromCsr';
import { issueIntermediateCa } from '../../src/pki/ca/issueIntermediateCa';
import { issueRootCa } from '../../src/pki/ca/issueRootCa';
import { publicKeyFromCsr } from '../../src/pki/ca/publicKeyFromCsr';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { signatureSchemeFor } from '../../src/pki/certificate/SignatureScheme';
import { validatePath } from '../../src/pki/path/validatePath';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('openssl not found: the SM2 certificate interop tests are skipped');
const withOpenssl = hasOpenssl ? describe : describe.skip;
const ID = 'distid:1234567812345678';
const department = { name: '福州市民政局', uscc: '11350100DM0000021X', divisionCode: '350100' };
const now = new Date('2026-03-01T00:00:00Z');
const at = new Date(now.getTime() + 60_000);

async function ourSm2Chain() {
  const rootKeys = await generateKeyPair('SM2');
  const rootSigner = softwareKeySigner(rootKeys.privateKey);
  const root = await issueRootCa({ subject: { commonName: 'SM2 Root' }, publicKey: rootKeys.publicKey, validityYears: 20, pathLen: 1 }, rootSigner, { now });
  const rootCa = { certificate: root.der, signer: rootSigner };
  const interKeys = await generateKeyPair('SM2');
  const inter = await issueIntermediateCa(rootCa, { subject: { commonName: 'SM2 City', divisionCode: '350100' }, publicKey: interKeys.publicKey, validityYears: 10, pathLen: 0 }, { now });
  const interCa = { certificate: inter.der, signer: softwareKeySigner(interKeys.privateKey) };
  const deptKeys = await generateKeyPair('SM2');
  const dept = await issueDepartmentCertificate(interCa, { department, publicKey: deptKeys.publicKey, validityDays: 730 }, { now });
  return { root, inter, dept, rootCa, interKeys };
}

/** The certificate with its signature value replaced (TBS and algorithm kept). */
function withSignature(der: Uint8Array, signature: Uint8Array, tbs = parseCertificate(der).tbs, algorithm = parseCertificate(der).signatureAlgorithm.der): Uint8Array {
  return encodeSequence(tbs, algorithm, encodeBitString(signature));
}

describe('SM2 certificates on our path validator', () => {
  let c: Awaited<ReturnType<typeof ourSm2Chain>>;
  beforeAll(async () => {
    c = await ourSm2Chain();
  });

  it('validates root → intermediate → department made by our CA, SM3withSM2 without parameters, DER SEQUENCE { r, s }', () => {
    const r = validatePath({ leaf: c.dept.der, intermediates: [c.inter.der], anchors: [c.root.der], time: at });
    expect(r.ok && r.chain.length).toBe(3);
    const parsed = parseCertificate(c.dept.der);
    expect(Buffer.from(parsed.signatureAlgorithm.der).toString('hex')).toBe('300a06082a811ccf55018375');
    expect(parsed.signature[0]).toBe(0x30);
  });

  it('SM3withSM2 with NULL parameters is refused, as for ECDSA', () => {
    expect(typeof signatureSchemeFor({ oid: '1.2.156.10197.1.501', params: Uint8Array.of(5, 0), der: new Uint8Array() })).toBe('string');
    expect(signatureSchemeFor({ oid: '1.2.156.10197.1.501', params: undefined, der: new Uint8Array() })).toMatchObject({ name: 'SM2' });
  });

  it('the signature value is read strictly: a non-minimal integer or r + n fails', () => {
    const sig = Buffer.from(parseCertificate(c.dept.der).signature);
    // SEQUENCE { INTEGER r, INTEGER s } → r with one superfluous leading zero byte
    const rLen = sig[3]!;
    const r = sig.subarray(4, 4 + rLen);
    const rest = sig.subarray(4 + rLen);
    const padded = Buffer.concat([Buffer.of(0x02, rLen + 1, 0x00), r, rest]);
    const bad = Buffer.concat([Buffer.of(0x30, padded.length), padded]);
    const res = validatePath({ leaf: withSignature(c.dept.der, bad), intermediates: [c.inter.der], anchors: [c.root.der], time: at });
    expect(res).toMatchObject({ ok: false, code: 'CHAIN_SIGNATURE_INVALID' });
    const n = BigInt('0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123');
    const rPlusN = (BigInt('0x' + Buffer.from(r).toString('hex')) + n).toString(16).padStart(66, '0');
    const rn = Buffer.from(rPlusN.length % 2 ? '0' + rPlusN : rPlusN, 'hex');
    const body = Buffer.concat([Buffer.of(0x02, rn.length), rn, rest]);
    const big = validatePath({ leaf: withSignature(c.dept.der, Buffer.concat([Buffer.of(0x30, body.length), body])), intermediates: [c.inter.der], anchors: [c.root.der], time: at });
    expect(big).toMatchObject({ ok: false, code: 'CHAIN_SIGNATURE_INVALID' });
  });

  it('an ECDSA-with-SHA256 signature by an SM2-curve key fails (ALGORITHM_NOT_ALLOWED), though the ECDSA signature itself is valid', () => {
    const parsed = parseCertificate(c.dept.der);
    const sm2Id = Buffer.from('300a06082a811ccf55018375', 'hex');
    const ecdsaId = Buffer.from('300a06082a8648ce3d040302', 'hex');
    const tbs = Buffer.from(parsed.tbs);
    const pos = tbs.indexOf(sm2Id);
    expect(pos).toBeGreaterThan(0);
    ecdsaId.copy(tbs, pos);
    // A key node:crypto generated on the SM2 curve signs plain ECDSA (docs/adr/0009-national-cryptography.md).
    const ecdsa = sign('sha256', tbs, c.interKeys.privateKey);
    expect(verify('sha256', tbs, c.interKeys.publicKey, ecdsa)).toBe(true);
    const forged = withSignature(c.dept.der, ecdsa, tbs, ecdsaId);
    expect(validatePath({ leaf: forged, intermediates: [c.inter.der], anchors: [c.root.der], time: at })).toMatchObject({ ok: false, code: 'ALGORITHM_NOT_ALLOWED' });
  });

  it('the CA certifies no SM2 key under a non-SM2 CA, and no non-SM2 key under an SM2 CA', async () => {
    const esKeys = await generateKeyPair('ES256');
    const esSigner = softwareKeySigner(esKeys.privateKey);
    const esRoot = await issueRootCa({ subject: { commonName: 'P-256 Root' }, publicKey: esKeys.publicKey, validityYears: 20, pathLen: 1 }, esSigner, { now });
    const sm2 = await generateKeyPair('SM2');
    await expect(issueDepartmentCertificate({ certificate: esRoot.der, signer: esSigner }, { department, publicKey: sm2.publicKey, validityDays: 30 }, { now })).rejects.toMatchObject({ code: 'ALGORITHM_NOT_ALLOWED' });
    await expect(issueDepartmentCertificate(c.rootCa, { department, publicKey: esKeys.publicKey, validityDays: 30 }, { now })).rejects.toMatchObject({ code: 'ALGORITHM_NOT_ALLOWED' });
  });
});

withOpenssl('SM2 certificates and the openssl command line', () => {
  let dir: string;
  const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const der = (file: string): Uint8Array => decodePem(readFileSync(join(dir, file), 'utf8'), 'CERTIFICATE')!;
  const ext = (name: string, lines: string[]): string => {
    writeFileSync(join(dir, `${name}.cnf`), `[v3]\n${lines.join('\n')}\n`);
    return `${name}.cnf`;
  };
  /** Issues `name` (key made here, of `keyAlg`) under `issuer` with the given digest options. */
  const issueWithOpenssl = (name: string, issuer: string, keyAlg: string[], digest: string[], extLines: string[]): void => {
    openssl('genpkey', ...keyAlg, '-out', `${name}.key`);
    openssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, ...digest, '-days', '365', '-set_serial', String(Math.floor(Math.random() * 1e9)), '-extfile', ext(name, extLines), '-extensions', 'v3', '-out', `${name}.pem`);
  };
  const SM2 = ['-algorithm', 'SM2'];
  const P256 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const CA_EXT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];
  const LEAF_EXT = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];
  const selfSigned = (name: string, keyAlg: string[], digest: string[]): void => {
    openssl('genpkey', ...keyAlg, '-out', `${name}.key`);
    openssl('req', '-x509', '-new', '-key', `${name}.key`, ...digest, '-subj', `/CN=${name}`, '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${name}.pem`);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'elicense-sm2-pki-'));
    const sm3 = ['-sm3', '-sigopt', ID];
    selfSigned('root', SM2, sm3);
    issueWithOpenssl('inter', 'root', SM2, sm3, CA_EXT);
    issueWithOpenssl('dept', 'inter', SM2, sm3, LEAF_EXT);
    // OpenSSL's own default: an empty distinguishing ID
    issueWithOpenssl('emptyid', 'inter', SM2, ['-sm3'], LEAF_EXT);
    selfSigned('p256root', P256, ['-sha256']);
    issueWithOpenssl('sm2under256', 'p256root', SM2, ['-sha256'], LEAF_EXT);
    issueWithOpenssl('p256undersm2', 'inter', P256, sm3, LEAF_EXT);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('openssl verifies each link of the root → intermediate → department chain our CA made', async () => {
    const c = await ourSm2Chain();
    writeFileSync(join(dir, 'our-root.pem'), c.root.pem);
    writeFileSync(join(dir, 'our-inter.pem'), c.inter.pem);
    writeFileSync(join(dir, 'our-dept.pem'), c.dept.pem);
    const attime = String(Math.floor(at.getTime() / 1000));
    for (const [issuer, cert] of [['our-root', 'our-root'], ['our-root', 'our-inter'], ['our-inter', 'our-dept']]) {
      expect(openssl('verify', '-x509_strict', '-partial_chain', '-attime', attime, '-vfyopt', ID, '-CAfile', `${issuer}.pem`, `${cert}.pem`)).toContain(`${cert}.pem: OK`);
    }
    // Without the ID OpenSSL 3.0 checks with the empty one, and the link fails: the ID is really in the signature.
    const noId = spawnSync('openssl', ['verify', '-partial_chain', '-attime', attime, '-CAfile', 'our-inter.pem', 'our-dept.pem'], { cwd: dir, encoding: 'utf8' });
    expect(noId.status).not.toBe(0);
  });

  it('a root, intermediate and department made by openssl (SM3withSM2, default ID) validate on our path validator', () => {
    const r = validatePath({ leaf: der('dept.pem'), intermediates: [der('inter.pem')], anchors: [der('root.pem')], time: new Date() });
    expect(r.ok && r.chain.map((x) => x.subject.text)).toEqual(['CN=dept', 'CN=inter', 'CN=root']);
  });

  it('a certificate signed with the empty ID (openssl without distid) fails', () => {
    expect(validatePath({ leaf: der('emptyid.pem'), intermediates: [der('inter.pem')], anchors: [der('root.pem')], time: new Date() })).toMatchObject({
      ok: false,
      code: 'CHAIN_SIGNATURE_INVALID',
    });
  });

  it('mixed chains are refused with ALGORITHM_MIXED: an SM2 key under a P-256 CA, a P-256 key under an SM2 CA', () => {
    expect(validatePath({ leaf: der('sm2under256.pem'), intermediates: [], anchors: [der('p256root.pem')], time: new Date() })).toMatchObject({ ok: false, code: 'ALGORITHM_MIXED' });
    expect(validatePath({ leaf: der('p256undersm2.pem'), intermediates: [der('inter.pem')], anchors: [der('root.pem')], time: new Date() })).toMatchObject({ ok: false, code: 'ALGORITHM_MIXED' });
  });

  it('CSR import: an SM2 request signed with the default ID is accepted and certified; one with the empty ID is CSR_INVALID', async () => {
    openssl('genpkey', ...SM2, '-out', 'csr.key');
    openssl('req', '-new', '-key', 'csr.key', '-sm3', '-sigopt', ID, '-subj', '/CN=ignored', '-out', 'good.csr');
    openssl('req', '-new', '-key', 'csr.key', '-sm3', '-subj', '/CN=ignored', '-out', 'empty.csr');
    const good = readFileSync(join(dir, 'good.csr'), 'utf8');
    const key = publicKeyFromCsr(good);
    const expected = createPrivateKey(readFileSync(join(dir, 'csr.key'))).export({ type: 'pkcs8', format: 'der' });
    expect(expected.length).toBeGreaterThan(0);
    expect(() => publicKeyFromCsr(readFileSync(join(dir, 'empty.csr'), 'utf8'))).toThrow(expect.objectContaining({ code: 'CSR_INVALID' }));
    const c = await ourSm2Chain();
    const cert = await issueDepartmentCertificateFromCsr(c.rootCa, { department, csr: good, validityDays: 365 }, { now });
    expect(Buffer.from(parseCertificate(cert.der).spki).equals(key.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(validatePath({ leaf: cert.der, intermediates: [], anchors: [c.root.der], time: at }).ok).toBe(true);
  });
});
