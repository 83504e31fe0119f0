import type { KeyObject } from 'node:crypto';
import { ElicenseError } from '../errors';
import { isSm2Key } from './sm2/sm2KeyMaterial';

/**
 * The algorithm and key policy (see keyDecision below for the keys).
 *
 * The explicit allow-list of JWS signature algorithms (docs/product.md 3.5).
 * `none`, HMAC (HS*), RSASSA-PKCS1-v1_5 (RS*), ES384/ES512 and PS384/PS512
 * are never accepted. Names are case-sensitive, as in RFC 7515. `SM2` is SM2
 * with SM3 and the default distinguishing ID (GB/T 32918.2, GB/T 32905); no
 * IANA name exists for it, `SM2` is the name Chinese JWS code uses
 * (docs/adr/0009-national-cryptography.md).
 */
export const JWS_ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'SM2'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];
/**
 * The algorithms a region's CA certifies keys for: all of them, SM2 included since our path validator
 * checks SM3withSM2 links (issue 12; ADR 0009). Interfaces that offer a choice of key algorithm offer these.
 */
export const CERTIFIED_ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'SM2'] as const satisfies readonly JwsAlgorithm[];
export const DEFAULT_JWS_ALGORITHM: JwsAlgorithm = 'ES256';

/**
 * The algorithms a NEW department key may have (docs/adr/0004-pdf-form.md, "Readers agree"): a department's key also
 * signs its licences' PDFs, and common PDF readers (poppler/NSS, Acrobat) cannot check Ed25519, so EdDSA is no longer
 * offered for department keys; existing EdDSA keys keep signing and verifying until rotated. The CAs above a new
 * department key follow the same rule (a reader given the root checks every link). SM2 stays for SM2 regions.
 */
export const DEPARTMENT_KEY_ALGORITHMS = ['ES256', 'PS256', 'SM2'] as const satisfies readonly JwsAlgorithm[];

/** Why EdDSA is refused for a new department key: one sentence every entry point uses. */
export const EDDSA_DEPARTMENT_KEY_REFUSAL =
  'EdDSA is not offered for new department keys: common PDF readers cannot check Ed25519 PDF signatures (docs/adr/0004-pdf-form.md, "Readers agree"); use ES256 (default) or PS256, or SM2 in an SM2 region';

/** Whether a new department key (or a CA above one) may use this algorithm. */
export function isDepartmentKeyAlgorithm(x: unknown): boolean {
  return (DEPARTMENT_KEY_ALGORITHMS as readonly unknown[]).includes(x);
}

/** RSA moduli we accept: at least 2048 bits; the upper bound keeps verification cost bounded. */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 8192;

export function isAllowedAlgorithm(x: unknown): x is JwsAlgorithm {
  return x === 'ES256' || x === 'EdDSA' || x === 'PS256' || x === 'SM2';
}

/** Why a key is refused: its kind or parameters are outside the allow-list, or the key itself is unusable. */
export type KeyRefusalCode = 'ALGORITHM_NOT_ALLOWED' | 'KEY_INVALID';

/** The policy's decision on one key, as data. */
export type KeyDecision =
  | { readonly ok: true; readonly algorithm: JwsAlgorithm; /** Exact signature length in bytes. */ readonly signatureLength: number }
  | { readonly ok: false; readonly code: KeyRefusalCode; readonly reason: string };

/** Decisions computed once per KeyObject (asymmetricKeyDetails is a costly native call). */
const decisions = new WeakMap<KeyObject, KeyDecision>();

/**
 * The one key policy of elicense, used by every side that meets a key: the
 * licence and document signers (SoftwareSigner, signBytes), the verifiers
 * (verifyBytes, the JWS and COSE readers) and the CA (the keys it certifies
 * and the keys it signs with). EC P-256 → ES256; EC on the SM2 curve
 * (1.2.156.10197.1.301) → SM2, never ECDSA; Ed25519 → EdDSA; RSA or
 * RSA-PSS of RSA_MIN_BITS..RSA_MAX_BITS whose RFC 4055 restrictions, if any,
 * allow PS256's parameters → PS256. Everything else is refused: another curve,
 * key type or PSS restriction with ALGORITHM_NOT_ALLOWED; an RSA modulus out
 * of bounds or a symmetric key with KEY_INVALID.
 */
export function keyDecision(key: KeyObject): KeyDecision {
  let d = decisions.get(key);
  if (d === undefined) {
    d = decide(key);
    decisions.set(key, d);
  }
  return d;
}

function decide(key: KeyObject): KeyDecision {
  const refuse = (code: KeyRefusalCode, reason: string): KeyDecision => ({ ok: false, code, reason });
  if (key.type === 'secret') return refuse('KEY_INVALID', 'symmetric keys are never accepted');
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details.namedCurve === 'prime256v1') return { ok: true, algorithm: 'ES256', signatureLength: 64 };
      if (details.namedCurve === 'SM2') return { ok: true, algorithm: 'SM2', signatureLength: 64 };
      return refuse('ALGORITHM_NOT_ALLOWED', `EC curve ${String(details.namedCurve)} is not allowed (P-256 or SM2 only)`);
    case 'ed25519':
      return { ok: true, algorithm: 'EdDSA', signatureLength: 64 };
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
        return refuse('KEY_INVALID', `RSA modulus of ${bits} bits is outside ${RSA_MIN_BITS}..${RSA_MAX_BITS}`);
      }
      // An rsa-pss key may carry restrictions (RFC 4055); they must allow PS256's parameters.
      // saltLength is the minimum salt the key permits.
      if (details.hashAlgorithm !== undefined && details.hashAlgorithm !== 'sha256') return refuse('ALGORITHM_NOT_ALLOWED', 'RSA-PSS key restricted to another hash');
      if (details.mgf1HashAlgorithm !== undefined && details.mgf1HashAlgorithm !== 'sha256') return refuse('ALGORITHM_NOT_ALLOWED', 'RSA-PSS key restricted to another MGF1 hash');
      if (details.saltLength !== undefined && details.saltLength > 32) return refuse('ALGORITHM_NOT_ALLOWED', 'RSA-PSS key requires a salt longer than 32');
      return { ok: true, algorithm: 'PS256', signatureLength: Math.ceil(bits / 8) };
    }
    case undefined:
      // Node gives no type to an SM2 key it read from DER or PEM (OpenSSL's EVP_PKEY_SM2).
      if (isSm2Key(key)) return { ok: true, algorithm: 'SM2', signatureLength: 64 };
      return refuse('ALGORITHM_NOT_ALLOWED', 'key type undefined is not allowed');
    default:
      return refuse('ALGORITHM_NOT_ALLOWED', `key type ${String(key.asymmetricKeyType)} is not allowed`);
  }
}

/** The one algorithm a (public or private) key is used with; a refused key throws the decision's code and reason. */
export function algorithmForKey(key: KeyObject): JwsAlgorithm {
  const d = keyDecision(key);
  if (!d.ok) throw new ElicenseError(d.code, d.reason);
  return d.algorithm;
}

/** True only when alg is allowed and the key is of the kind that algorithm needs. Never throws. */
export function keyMatchesAlgorithm(alg: unknown, key: KeyObject): boolean {
  if (!isAllowedAlgorithm(alg)) return false;
  try {
    const d = keyDecision(key);
    return d.ok && d.algorithm === alg;
  } catch {
    return false;
  }
}

/** Exact signature length for alg with this key, or 0 when they do not match. Never throws. */
export function signatureLengthFor(alg: JwsAlgorithm, key: KeyObject): number {
  const d = keyMatchesAlgorithm(alg, key) ? keyDecision(key) : undefined;
  return d?.ok ? d.signatureLength : 0;
}
