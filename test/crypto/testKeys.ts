import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { KeyObject, webcrypto } from 'node:crypto';

export type KeyKind = 'ES256' | 'EdDSA' | 'PS256' | 'RSA1024' | 'ES384';

const PARAMS: Record<KeyKind, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | { name: string }> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  EdDSA: { name: 'Ed25519' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  RSA1024: { name: 'RSA-PSS', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 1024 },
};

export interface TestKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** A self-signed certificate for the key (test fixture only: no PKI meaning). */
  certificate: Uint8Array;
}

/** Generates a key pair and a self-signed certificate for it. */
export async function testKey(kind: KeyKind, name = 'CN=elicense test'): Promise<TestKey> {
  const params = PARAMS[kind];
  const keys = (await webcrypto.subtle.generateKey(params as webcrypto.EcKeyGenParams, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const signingAlgorithm = params.name === 'ECDSA' ? { ...params, hash: 'SHA-256' } : params.name === 'RSA-PSS' ? { ...params, saltLength: 32 } : params;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '01', name, notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2044-01-01T00:00:00Z'), keys, signingAlgorithm },
    webcrypto as never,
  );
  return { privateKey: KeyObject.from(keys.privateKey), publicKey: KeyObject.from(keys.publicKey), certificate: new Uint8Array(cert.rawData) };
}
