import { generateKeyPair as nodeGenerateKeyPair, type KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from '../../crypto/algorithms';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type GenerateKey = (algorithm: JwsAlgorithm) => Promise<KeyPair>;

/**
 * Software key generation: P-256, Ed25519, RSA-3072 (RSA above the 2048 floor, per NIST SP 800-57 beyond 2030),
 * SM2 (an EC key on the SM2 curve from node:crypto's OpenSSL; used only with SM2-with-SM3 signatures).
 */
export const generateKeyPair: GenerateKey = (algorithm) =>
  new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject): void =>
      err ? reject(err) : resolve({ privateKey, publicKey });
    switch (algorithm) {
      case 'ES256':
        return nodeGenerateKeyPair('ec', { namedCurve: 'P-256' }, done);
      case 'EdDSA':
        return nodeGenerateKeyPair('ed25519', {}, done);
      case 'PS256':
        return nodeGenerateKeyPair('rsa', { modulusLength: 3072 }, done);
      case 'SM2':
        return nodeGenerateKeyPair('ec', { namedCurve: 'SM2' }, done);
      default:
        return reject(new Error(`no key generation for ${String(algorithm)}`));
    }
  });
