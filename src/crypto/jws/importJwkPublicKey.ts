import { createPublicKey, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../../errors';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Imports a public JWK (RFC 7517) for signature verification. Refuses
 * symmetric keys, JWKs carrying private members, keys whose `use` is not
 * "sig" or whose `key_ops` lacks "verify", and, when `forAlgorithm` is given,
 * keys whose `alg` names another algorithm. Throws KEY_INVALID.
 */
export function importJwkPublicKey(jwk: unknown, options?: { forAlgorithm?: string }): KeyObject {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new ElicenseError('KEY_INVALID', 'a JWK is a JSON object');
  const k = jwk as Record<string, unknown>;
  if (k['kty'] !== 'EC' && k['kty'] !== 'OKP' && k['kty'] !== 'RSA') throw new ElicenseError('KEY_INVALID', 'only EC, OKP and RSA public keys');
  if (PRIVATE_MEMBERS.some((m) => m in k)) throw new ElicenseError('KEY_INVALID', 'the JWK carries private key material');
  if (k['use'] !== undefined && k['use'] !== 'sig') throw new ElicenseError('KEY_INVALID', 'the JWK is not for signatures (use)');
  const ops = k['key_ops'];
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) {
    throw new ElicenseError('KEY_INVALID', 'the JWK does not allow verify (key_ops)');
  }
  if (options?.forAlgorithm !== undefined && k['alg'] !== undefined && k['alg'] !== options.forAlgorithm) {
    throw new ElicenseError('KEY_INVALID', 'the JWK is for another algorithm (alg)');
  }
  try {
    return createPublicKey({ key: k as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch {
    throw new ElicenseError('KEY_INVALID', 'the JWK cannot be imported');
  }
}
