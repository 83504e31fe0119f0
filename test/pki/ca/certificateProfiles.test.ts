import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { softwareKeySigner } from '../../../src/crypto/softwareKeySigner';
import { generateKeyPair } from '../../../src/pki/ca/generateKeyPair';
import { issueDepartmentCertificate } from '../../../src/pki/ca/issueDepartmentCertificate';
import { issueIntermediateCa } from '../../../src/pki/ca/issueIntermediateCa';
import { issueRootCa } from '../../../src/pki/ca/issueRootCa';
import { issueTimestampingCertificate, issueTrustListSigningCertificate } from '../../../src/pki/ca/issueServiceCertificate';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../../../src/crypto/algorithms';
import { OID } from '../../../src/pki/oids';
import { validatePath } from '../../../src/pki/path/validatePath';

const now = new Date('2026-03-01T00:00:00Z');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const department = { name: '福州市民政局', uscc: '11350100DM0000021X', divisionCode: '350100' };

async function hierarchy(alg: JwsAlgorithm) {
  const rootKeys = await generateKeyPair(alg);
  const rootSigner = softwareKeySigner(rootKeys.privateKey);
  const root = await issueRootCa({ subject: { commonName: 'Root', organization: '测试' }, publicKey: rootKeys.publicKey, validityYears: 20, pathLen: 1 }, rootSigner, { now });
  const rootCa = { certificate: root.der, signer: rootSigner };
  const interKeys = await generateKeyPair(alg);
  const inter = await issueIntermediateCa(rootCa, { subject: { commonName: 'City', divisionCode: '350100' }, publicKey: interKeys.publicKey, validityYears: 10, pathLen: 0 }, { now });
  const interCa = { certificate: inter.der, signer: softwareKeySigner(interKeys.privateKey) };
  const deptKeys = await generateKeyPair(alg);
  const dept = await issueDepartmentCertificate(interCa, { department, publicKey: deptKeys.publicKey, validityDays: 730 }, { now });
  // A path is all SM2 or has no SM2 key (docs/adr/0009-national-cryptography.md).
  const serviceAlg = alg === 'SM2' ? 'SM2' : 'ES256';
  const tl = await issueTrustListSigningCertificate(rootCa, { subject: { commonName: 'TL' }, publicKey: (await generateKeyPair(serviceAlg)).publicKey, validityDays: 365 }, { now });
  const tsa = await issueTimestampingCertificate(rootCa, { subject: { commonName: 'TSA' }, publicKey: (await generateKeyPair(serviceAlg)).publicKey, validityDays: 365 }, { now });
  return { root, inter, dept, tl, tsa };
}

/** extension OID → critical, in certificate order. */
function extensionMap(cert: x509.X509Certificate): Array<[string, boolean]> {
  return cert.extensions.map((e) => [e.type, e.critical]);
}

/** Node's X509Certificate.verify and webcrypto do SM2 with OpenSSL 3.0's empty ID, or not at all: SM2 is checked by our validator and by openssl with distid. */
const SM2_ID = 'distid:1234567812345678';

describe.each(JWS_ALGORITHMS)('certificate profiles, CA keys %s', (alg) => {
  let h: Awaited<ReturnType<typeof hierarchy>>;
  beforeAll(async () => {
    h = await hierarchy(alg);
  });

  it('root: basicConstraints cA pathLen 1, keyUsage keyCertSign+cRLSign, SKI; self-signed', async () => {
    const c = new x509.X509Certificate(h.root.der);
    expect(extensionMap(c)).toEqual([['2.5.29.19', true], ['2.5.29.15', true], ['2.5.29.14', false]]);
    const bc = c.getExtension(x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.pathLength]).toEqual([true, 1]);
    expect(c.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(c.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId).toMatch(/^[0-9a-f]{40}$/);
    if (alg !== 'SM2') expect(new NodeX509(h.root.der).verify(new NodeX509(h.root.der).publicKey)).toBe(true);
    expect(c.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
  });

  it('intermediate: the CA profile plus AKI = root SKI', () => {
    const root = new x509.X509Certificate(h.root.der);
    const c = new x509.X509Certificate(h.inter.der);
    expect(extensionMap(c)).toEqual([['2.5.29.19', true], ['2.5.29.15', true], ['2.5.29.14', false], ['2.5.29.35', false]]);
    expect(c.getExtension(x509.BasicConstraintsExtension)!.pathLength).toBe(0);
    expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(root.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
    expect(c.issuer).toBe(root.subject);
  });

  it('department: cA=false, digitalSignature+nonRepudiation, licence-signing EKU (non-critical), SKI, AKI, identity subject', () => {
    const inter = new x509.X509Certificate(h.inter.der);
    const c = new x509.X509Certificate(h.dept.der);
    expect(extensionMap(c)).toEqual([
      ['2.5.29.19', true], ['2.5.29.15', true], ['2.5.29.37', false], ['2.5.29.14', false], ['2.5.29.35', false],
    ]);
    expect(c.getExtension(x509.BasicConstraintsExtension)!.ca).toBe(false);
    expect(c.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation);
    // @peculiar/x509 cannot render arcs above 2^53 (it prints "{hex}"), so the EKU value is read by Node/OpenSSL.
    expect(new NodeX509(h.dept.der).keyUsage).toEqual([OID.ekuLicenseSigning, OID.ekuDocumentSigning, OID.ekuEmailProtection]);
    expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(inter.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
    expect(c.subjectName.getField('C')).toEqual(['CN']);
    expect(c.subjectName.getField('O')).toEqual([department.name]);
    expect(c.subjectName.getField('CN')).toEqual([department.name]);
    expect(c.subjectName.getField(OID.attrOrganizationIdentifier)).toEqual([`NTRCN-${department.uscc}`]);
    expect(c.notBefore.toISOString()).toBe(now.toISOString());
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBe(730 * 86_400_000);
  });

  it('trust-list signer and TSA: their EKUs, the TSA one critical and alone (RFC 3161)', () => {
    const tl = new x509.X509Certificate(h.tl.der);
    expect(extensionMap(tl)).toEqual([['2.5.29.19', true], ['2.5.29.15', true], ['2.5.29.37', false], ['2.5.29.14', false], ['2.5.29.35', false]]);
    expect(new NodeX509(h.tl.der).keyUsage).toEqual([OID.ekuTrustListSigning]);
    const tsa = new x509.X509Certificate(h.tsa.der);
    expect(extensionMap(tsa)).toEqual([['2.5.29.19', true], ['2.5.29.15', true], ['2.5.29.37', true], ['2.5.29.14', false], ['2.5.29.35', false]]);
    expect(tsa.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([OID.ekuTimeStamping]);
    expect(tsa.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature);
  });

  it('our path validator accepts department → intermediate → root, and the TL and TSA certificates', () => {
    const at = new Date(now.getTime() + 60_000);
    const dept = validatePath({ leaf: h.dept.der, intermediates: [h.inter.der], anchors: [h.root.der], time: at });
    expect(dept.ok && dept.chain.length).toBe(3);
    for (const leaf of [h.tl.der, h.tsa.der]) expect(validatePath({ leaf, intermediates: [], anchors: [h.root.der], time: at }).ok).toBe(true);
  });

  (alg === 'SM2' ? it.skip : it)('signatures verify with @peculiar/x509 over node webcrypto', async () => {
    const crypto = webcrypto as unknown as NonNullable<Parameters<x509.X509Certificate['verify']>[1]>;
    const root = new x509.X509Certificate(h.root.der);
    const inter = new x509.X509Certificate(h.inter.der);
    expect(await inter.verify({ publicKey: root.publicKey, signatureOnly: true }, crypto)).toBe(true);
    expect(await new x509.X509Certificate(h.dept.der).verify({ publicKey: inter.publicKey, signatureOnly: true }, crypto)).toBe(true);
  });

  (hasOpenssl && alg === 'SM2' ? it : it.skip)('openssl verify -x509_strict with the default SM2 ID accepts each link: root, root → intermediate, intermediate → department', () => {
    // OpenSSL 3.0 applies -vfyopt to the target only, so a three-level SM2 chain is checked link by link.
    const dir = mkdtempSync(join(tmpdir(), 'elicense-profile-'));
    try {
      writeFileSync(join(dir, 'root.pem'), h.root.pem);
      writeFileSync(join(dir, 'inter.pem'), h.inter.pem);
      writeFileSync(join(dir, 'dept.pem'), h.dept.pem);
      const at = String(now.getTime() / 1000 + 60);
      for (const [issuer, cert] of [['root', 'root'], ['root', 'inter'], ['inter', 'dept']]) {
        const args = ['verify', '-x509_strict', '-partial_chain', '-attime', at, '-vfyopt', SM2_ID, '-CAfile', join(dir, `${issuer}.pem`), join(dir, `${cert}.pem`)];
        expect(execFileSync('openssl', args, { encoding: 'utf8' })).toContain(`${cert}.pem: OK`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (hasOpenssl && alg !== 'SM2' ? it : it.skip)('openssl verify -x509_strict accepts root → intermediate → department', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elicense-profile-'));
    try {
      writeFileSync(join(dir, 'root.pem'), h.root.pem);
      writeFileSync(join(dir, 'inter.pem'), h.inter.pem);
      writeFileSync(join(dir, 'dept.pem'), h.dept.pem);
      const at = String(now.getTime() / 1000 + 60);
      const out = execFileSync('openssl', ['verify', '-x509_strict', '-attime', at, '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'inter.pem'), join(dir, 'dept.pem')], { encoding: 'utf8' });
      expect(out).toContain('dept.pem: OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
