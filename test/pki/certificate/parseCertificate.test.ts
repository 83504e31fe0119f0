import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { OID } from '../../../src/pki/oids';
import { CertificateCache } from '../../../src/pki/certificate/CertificateCache';
import { parseCertificate } from '../../../src/pki/certificate/ParsedCertificate';
import { parseCertificatePem } from '../../../src/pki/certificate/parseCertificatePem';
import { verifyCertificateSignature } from '../../../src/pki/certificate/verifyCertificateSignature';
import { KU, NOW, issue, simpleChain } from '../path/chainFactory';

function pem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
}

function malformedCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('parseCertificate', () => {
  test('exposes the parsed view beside the original DER', async () => {
    const { root, ica, leaf } = await simpleChain();
    const san = new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'dept.example' }, { type: 'ip', value: '10.0.0.1' }]);
    const l = await issue({ subject: 'CN=Dept, O=Region', issuer: ica, eku: [OID.ekuLicenseSigning], keyUsage: KU.digitalSignature | KU.nonRepudiation, extensions: [san] });
    const c = parseCertificate(l.der);
    expect(Buffer.from(c.der).equals(Buffer.from(l.der))).toBe(true);
    expect(c.fingerprint).toBe(createHash('sha256').update(l.der).digest('hex'));
    expect(c.version).toBe(3);
    expect(c.subject.text).toBe('CN=Dept, O=Region');
    expect(c.issuer.text).toBe('CN=Test ICA, O=Region');
    expect(c.selfIssued).toBe(false);
    expect(c.notBefore < NOW && NOW < c.notAfter).toBe(true);
    expect(c.publicKey?.asymmetricKeyType).toBe('ec');
    expect(c.signatureAlgorithm.oid).toBe('1.2.840.10045.4.3.2');
    expect(c.ext.basicConstraints).toEqual({ critical: true, ca: false, pathLen: undefined });
    expect([...c.ext.keyUsage!.usages].sort()).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(c.ext.extKeyUsage?.oids).toEqual([OID.ekuLicenseSigning]);
    expect(c.ext.subjectAltName?.names).toEqual([
      { type: 'dns', value: 'dept.example' },
      { type: 'ip', bytes: new Uint8Array([10, 0, 0, 1]) },
    ]);
    const icaParsed = parseCertificate(ica.der);
    expect(c.ext.authorityKeyId?.keyId).toBe(icaParsed.ext.subjectKeyId?.keyId);
    expect(icaParsed.ext.keyUsage?.usages.has('keyCertSign')).toBe(true);
    expect(parseCertificate(root.der).selfIssued).toBe(true);
    expect(c.extensionList.map((e) => e.oid)).toContain('2.5.29.17');
    expect(verifyCertificateSignature(c, icaParsed.publicKey!)).toEqual({ ok: true });
    expect(verifyCertificateSignature(c, parseCertificate(root.der).publicKey!).ok).toBe(false);
  });

  test.each(['ed25519', 'rsa'] as const)('%s certificates verify', async (alg) => {
    const { root, ica } = await simpleChain(alg);
    expect(verifyCertificateSignature(parseCertificate(ica.der), parseCertificate(root.der).publicKey!)).toEqual({ ok: true });
  });

  test('refuses malformed DER', async () => {
    const { leaf } = await simpleChain();
    const withTrailing = new Uint8Array([...leaf.der, 0]);
    expect(malformedCode(() => parseCertificate(withTrailing))).toBe('CERT_MALFORMED');
    expect(malformedCode(() => parseCertificate(leaf.der.subarray(0, leaf.der.length - 3)))).toBe('CERT_MALFORMED');
    expect(malformedCode(() => parseCertificate(new Uint8Array()))).toBe('CERT_MALFORMED');
    expect(malformedCode(() => parseCertificate(new Uint8Array([0x30, 0x80, 0, 0])))).toBe('CERT_MALFORMED');
    // a flipped byte in the middle is either malformed or at least changes the fingerprint
    const flipped = new Uint8Array(leaf.der);
    flipped[1] = 0x7f;
    expect(malformedCode(() => parseCertificate(flipped))).toBe('CERT_MALFORMED');
  });

  test('refuses duplicate extensions', async () => {
    const { ica } = await simpleChain();
    const ext = new x509.Extension('1.3.6.1.4.1.55555.9', false, new Uint8Array([5, 0]));
    const dup = await issue({ subject: 'CN=Dup', issuer: ica, extensions: [ext, ext] });
    expect(malformedCode(() => parseCertificate(dup.der))).toBe('CERT_MALFORMED');
  });

  test('parseCertificatePem reads one or many, and refuses none', async () => {
    const { root, ica, leaf } = await simpleChain();
    const all = parseCertificatePem(`junk\n${pem(leaf.der)}${pem(ica.der)}\n${pem(root.der)}`);
    expect(all.map((c) => c.subject.text)).toEqual(['CN=Department, O=Region', 'CN=Test ICA, O=Region', 'CN=Test Root, O=Region']);
    expect(malformedCode(() => parseCertificatePem('nothing here'))).toBe('CERT_MALFORMED');
  });

  test('CertificateCache returns the same parse for the same bytes', async () => {
    const { leaf, ica } = await simpleChain();
    const cache = new CertificateCache(1);
    const a = cache.get(leaf.der);
    expect(cache.get(new Uint8Array(leaf.der))).toBe(a);
    cache.get(ica.der);
    expect(cache.size).toBe(1);
    expect(cache.get(leaf.der)).not.toBe(a);
  });
});
