import { generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { keyDecision } from '../../../src/crypto/algorithms';
import type { KeySigner } from '../../../src/crypto/Signer';
import { softwareKeySigner } from '../../../src/crypto/softwareKeySigner';
import { ElicenseError } from '../../../src/errors';
import { generateKeyPair } from '../../../src/pki/ca/generateKeyPair';
import { issueDepartmentCertificate } from '../../../src/pki/ca/issueDepartmentCertificate';
import { issueIntermediateCa } from '../../../src/pki/ca/issueIntermediateCa';
import { issueRootCa } from '../../../src/pki/ca/issueRootCa';
import { issueTimestampingCertificate } from '../../../src/pki/ca/issueServiceCertificate';
import { parseCertificate } from '../../../src/pki/certificate/ParsedCertificate';
import { rsaPublicKeyOfBits } from '../../crypto/rsaPublicKeyOfBits';

const now = new Date('2026-03-01T00:00:00Z');
const department = { name: '福州市民政局', uscc: '11350100DM0000021X', divisionCode: '350100' };
// Node accepts hashAlgorithm/mgf1HashAlgorithm; this @types/node version only types the older names.
const pss = (restrictions: object) => generateKeyPairSync('rsa-pss', { modulusLength: 2048, ...restrictions } as { modulusLength: number });

/** Keys the one policy (crypto/algorithms keyDecision) refuses, with the code it gives. */
const REFUSED: [string, () => KeyObject, string][] = [
  ['EC P-384 (unsupported curve)', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, 'ALGORITHM_NOT_ALLOWED'],
  ['EC secp256k1 (unsupported curve)', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey, 'ALGORITHM_NOT_ALLOWED'],
  ['Ed448', () => generateKeyPairSync('ed448').publicKey, 'ALGORITHM_NOT_ALLOWED'],
  ['RSA 1024 (below the floor)', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'KEY_INVALID'],
  ['RSA 8200 (above the cap)', () => rsaPublicKeyOfBits(8200), 'KEY_INVALID'],
  ['RSA-PSS restricted to SHA-384', () => pss({ hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 48 }).publicKey, 'ALGORITHM_NOT_ALLOWED'],
  ['RSA-PSS with MGF1 over SHA-512', () => pss({ hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha512', saltLength: 32 }).publicKey, 'ALGORITHM_NOT_ALLOWED'],
  ['RSA-PSS requiring a 64-byte salt', () => pss({ hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 64 }).publicKey, 'ALGORITHM_NOT_ALLOWED'],
];

async function codeOf(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
    return undefined;
  } catch (e) {
    return e instanceof ElicenseError ? e.code : `OTHER ${String(e)}`;
  }
}

let rootCa: { certificate: Uint8Array; signer: KeySigner };

beforeAll(async () => {
  const keys = await generateKeyPair('ES256');
  const signer = softwareKeySigner(keys.privateKey);
  const root = await issueRootCa({ subject: { commonName: 'Root' }, publicKey: keys.publicKey, validityYears: 10, pathLen: 1 }, signer, { now });
  rootCa = { certificate: root.der, signer };
});

describe('the CA follows the one key policy', () => {
  it.each(REFUSED)('refuses to certify %s, with the policy’s own code', async (_name, make, code) => {
    const publicKey = make();
    expect(keyDecision(publicKey)).toMatchObject({ ok: false, code });
    expect(await codeOf(() => issueDepartmentCertificate(rootCa, { department, publicKey, validityDays: 365 }, { now }))).toBe(code);
    expect(await codeOf(() => issueTimestampingCertificate(rootCa, { subject: { commonName: 'TSA' }, publicKey, validityDays: 365 }, { now }))).toBe(code);
    expect(await codeOf(() => issueIntermediateCa(rootCa, { subject: { commonName: 'City' }, publicKey, validityYears: 5, pathLen: 0 }, { now }))).toBe(code);
  });

  it('refuses a CA key the policy refuses, before anything is signed', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(await codeOf(async () => softwareKeySigner(p384.privateKey))).toBe('ALGORITHM_NOT_ALLOWED');
    let signed = 0;
    const sneaky: KeySigner = { algorithm: 'ES256', publicKey: p384.publicKey, sign: async () => (signed++, new Uint8Array(64)) };
    const request = { subject: { commonName: 'Root' }, publicKey: p384.publicKey, validityYears: 10, pathLen: 0 };
    expect(await codeOf(() => issueRootCa(request, sneaky, { now }))).toBe('ALGORITHM_NOT_ALLOWED');
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const underSneaky = { certificate: rootCa.certificate, signer: { ...sneaky, publicKey: p256, algorithm: 'EdDSA' as const } };
    expect(await codeOf(() => issueTimestampingCertificate(underSneaky, { subject: { commonName: 'TSA' }, publicKey: p256, validityDays: 365 }, { now }))).toBe('ALGORITHM_KEY_MISMATCH');
    expect(signed).toBe(0);
  });

  it('refuses a signer that answers outside the Signer shape (a DER ECDSA signature)', async () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const derSigner: KeySigner = { algorithm: 'ES256', publicKey: keys.publicKey, sign: async (d) => new Uint8Array(sign('sha256', d, keys.privateKey)) };
    const request = { subject: { commonName: 'Root' }, publicKey: keys.publicKey, validityYears: 10, pathLen: 0 };
    expect(await codeOf(() => issueRootCa(request, derSigner, { now }))).toBe('KEY_INVALID');
  });

  it.each(['ES256', 'EdDSA', 'PS256'] as const)('signs %s certificates with the same KeySigner shape licences use; ES256 carried as DER', async (alg) => {
    const keys = await generateKeyPair(alg);
    const signer = softwareKeySigner(keys.privateKey);
    expect(signer.algorithm).toBe(alg);
    const root = await issueRootCa({ subject: { commonName: `Root ${alg}` }, publicKey: keys.publicKey, validityYears: 10, pathLen: 0 }, signer, { now });
    const parsed = parseCertificate(root.der);
    if (alg === 'ES256') expect(parsed.signature[0]).toBe(0x30);
    expect(new X509Certificate(root.der).verify(keys.publicKey)).toBe(true);
  });
});
