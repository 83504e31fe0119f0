import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { softwareKeySigner } from '../../../src/crypto/softwareKeySigner';
import { generateKeyPair } from '../../../src/pki/ca/generateKeyPair';
import { issueDepartmentCertificateFromCsr } from '../../../src/pki/ca/issueDepartmentCertificateFromCsr';
import { issueRootCa } from '../../../src/pki/ca/issueRootCa';
import { publicKeyFromCsr } from '../../../src/pki/ca/publicKeyFromCsr';
import { parseCertificate } from '../../../src/pki/certificate/ParsedCertificate';
import { departmentIdentityOf } from '../../../src/pki/departmentIdentity';

type X509Crypto = NonNullable<Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1]>;
const crypto = webcrypto as unknown as X509Crypto;
const now = new Date('2026-03-01T00:00:00Z');
const department = { name: '福州市市场监督管理局', uscc: '11350100DM00000133', divisionCode: '350100' };

const KEY_PARAMS = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
  PS256: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
} as const;

async function makeCsr(alg: keyof typeof KEY_PARAMS, subject = 'CN=Anything the requester likes, O=Evil') {
  const keys = (await webcrypto.subtle.generateKey(KEY_PARAMS[alg] as never, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys: keys as never, signingAlgorithm: KEY_PARAMS[alg] as never }, crypto);
  return { csr, spki: new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey)) };
}

async function rootCa() {
  const keys = await generateKeyPair('ES256');
  const signer = softwareKeySigner(keys.privateKey);
  const root = await issueRootCa({ subject: { commonName: 'Root' }, publicKey: keys.publicKey, validityYears: 10, pathLen: 0 }, signer, { now });
  return { certificate: root.der, signer };
}

describe('department certificates from a PKCS#10 request', () => {
  it.each(['ES256', 'EdDSA', 'PS256'] as const)('takes only the verified public key from a %s CSR; the subject comes from the record', async (alg) => {
    const { csr, spki } = await makeCsr(alg);
    const ca = await rootCa();
    const cert = await issueDepartmentCertificateFromCsr(ca, { department, csr: csr.toString('pem'), validityDays: 730 }, { now });
    const node = new NodeX509(cert.der);
    expect(Buffer.from(node.publicKey.export({ type: 'spki', format: 'der' }))).toEqual(Buffer.from(spki));
    expect(node.subject).not.toContain('Evil');
    expect(departmentIdentityOf(parseCertificate(cert.der))).toEqual(department);
  });

  it('rejects a CSR whose signature was forged (CSR_INVALID)', async () => {
    const { csr } = await makeCsr('ES256');
    const der = new Uint8Array(csr.rawData);
    der[der.length - 5]! ^= 0x01; // inside the signature value
    expect(() => publicKeyFromCsr(der)).toThrow(expect.objectContaining({ code: 'CSR_INVALID' }));
  });

  it('rejects a CSR whose public key was swapped for another (proof of possession fails)', async () => {
    const a = await makeCsr('ES256');
    const b = await makeCsr('ES256');
    const der = Buffer.from(a.csr.rawData);
    const swapped = Buffer.from(der.toString('hex').replace(Buffer.from(a.spki).toString('hex'), Buffer.from(b.spki).toString('hex')), 'hex');
    expect(swapped.equals(der)).toBe(false);
    expect(() => publicKeyFromCsr(swapped)).toThrow(expect.objectContaining({ code: 'CSR_INVALID' }));
  });

  it('rejects garbage, truncation and PEM without a request', async () => {
    const { csr } = await makeCsr('EdDSA');
    const der = new Uint8Array(csr.rawData);
    expect(() => publicKeyFromCsr(der.subarray(0, der.length - 10))).toThrow(expect.objectContaining({ code: 'CSR_INVALID' }));
    expect(() => publicKeyFromCsr(Uint8Array.of(1, 2, 3))).toThrow(expect.objectContaining({ code: 'CSR_INVALID' }));
    expect(() => publicKeyFromCsr('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(expect.objectContaining({ code: 'CSR_INVALID' }));
  });

  it('refuses keys outside the allow-list (P-384)', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as never;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=x', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } as never }, crypto);
    expect(() => publicKeyFromCsr(new Uint8Array(csr.rawData))).toThrow(expect.objectContaining({ code: 'ALGORITHM_NOT_ALLOWED' }));
  });
});
