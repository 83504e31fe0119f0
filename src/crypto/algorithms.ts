import type { KeyObject } from 'node:crypto';
import { ElicenseError } from '../errors';

/**
 * The explicit allow-list of JWS signature algorithms (product.md 3.5).
 * `none`, HMAC (HS*), RSASSA-PKCS1-v1_5 (RS*), ES384/ES512 and PS384/PS512
 * are never accepted. Names are case-sensitive, as in RFC 7515.
 */
export const JWS_ALGORITHMS = ['ES256', 'EdDSA', 'PS256'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];
export const DEFAULT_JWS_ALGORITHM: JwsAlgorithm = 'ES256';

/** RSA moduli we accept: at least 2048 bits; the upper bound keeps verification cost bounded. */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 8192;

export function isAllowedAlgorithm(x: unknown): x is JwsAlgorithm {
  return x === 'ES256' || x === 'EdDSA' || x === 'PS256';
}

/** What a key can do, computed once per KeyObject (asymmetricKeyDetails is a costly native call). */
interface KeyProfile {
  algorithm: JwsAlgorithm | undefined;
  /** Exact signature length in bytes for that algorithm. */
  signatureLength: number;
  /** Why no algorithm fits, for error messages. */
  reason: string;
}

const profiles = new WeakMap<KeyObject, KeyProfile>();

function profileOf(key: KeyObject): KeyProfile {
  let p = profiles.get(key);
  if (p === undefined) {
    p = computeProfile(key);
    profiles.set(key, p);
  }
  return p;
}

function computeProfile(key: KeyObject): KeyProfile {
  const none = (reason: string): KeyProfile => ({ algorithm: undefined, signatureLength: 0, reason });
  if (key.type === 'secret') return none('symmetric keys are never accepted');
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return details.namedCurve === 'prime256v1'
        ? { algorithm: 'ES256', signatureLength: 64, reason: '' }
        : none(`EC curve ${String(details.namedCurve)} is not allowed (P-256 only)`);
    case 'ed25519':
      return { algorithm: 'EdDSA', signatureLength: 64, reason: '' };
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
        return none(`RSA modulus of ${bits} bits is outside ${RSA_MIN_BITS}..${RSA_MAX_BITS}`);
      }
      // An rsa-pss key may carry restrictions (RFC 4055); they must allow PS256's parameters.
      // saltLength is the minimum salt the key permits.
      if (details.hashAlgorithm !== undefined && details.hashAlgorithm !== 'sha256') return none('RSA-PSS key restricted to another hash');
      if (details.mgf1HashAlgorithm !== undefined && details.mgf1HashAlgorithm !== 'sha256') return none('RSA-PSS key restricted to another MGF1 hash');
      if (details.saltLength !== undefined && details.saltLength > 32) return none('RSA-PSS key requires a salt longer than 32');
      return { algorithm: 'PS256', signatureLength: Math.ceil(bits / 8), reason: '' };
    }
    default:
      return none(`key type ${String(key.asymmetricKeyType)} is not allowed`);
  }
}

/**
 * The one algorithm a key is used with: EC P-256 → ES256, Ed25519 → EdDSA,
 * RSA or RSA-PSS of 2048..8192 bits → PS256. Anything else: KEY_INVALID.
 */
export function algorithmForKey(key: KeyObject): JwsAlgorithm {
  const p = profileOf(key);
  if (p.algorithm === undefined) throw new ElicenseError('KEY_INVALID', p.reason);
  return p.algorithm;
}

/** True only when alg is allowed and the key is of the kind that algorithm needs. Never throws. */
export function keyMatchesAlgorithm(alg: unknown, key: KeyObject): boolean {
  if (!isAllowedAlgorithm(alg)) return false;
  try {
    return profileOf(key).algorithm === alg;
  } catch {
    return false;
  }
}

/** Exact signature length for alg with this key, or 0 when they do not match. Never throws. */
export function signatureLengthFor(alg: JwsAlgorithm, key: KeyObject): number {
  return keyMatchesAlgorithm(alg, key) ? profileOf(key).signatureLength : 0;
}
