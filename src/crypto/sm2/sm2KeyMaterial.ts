import { createPublicKey, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../../errors';
import { SM2_CURVE, bytesToBigint, isOnSm2Curve, sm2DefaultIdBytes } from './sm2Curve';
import { sm2Za } from './sm2Za';

/** An SM2 public key as every backend wants it. */
export interface Sm2PublicMaterial {
  /** The SubjectPublicKeyInfo DER exactly as Node exports it. */
  readonly spkiDer: Uint8Array;
  readonly x: bigint;
  readonly y: bigint;
  /** 0x04 ‖ x ‖ y. */
  readonly point: Uint8Array;
  /** Z_A of this key with SM2_DEFAULT_ID (GB/T 32918.2 5.5). */
  readonly za: Uint8Array;
}

/** An SM2 private key: its scalar and its public half. */
export interface Sm2PrivateMaterial {
  /** The PKCS#8 DER exactly as Node exports it. */
  readonly pkcs8Der: Uint8Array;
  readonly d: bigint;
  readonly publicKey: Sm2PublicMaterial;
}

/**
 * The fixed 26 bytes before the point of an SM2 SubjectPublicKeyInfo:
 * SEQUENCE { SEQUENCE { id-ecPublicKey, sm2 (1.2.156.10197.1.301) }, BIT STRING { 0 unused bits, 0x04 … } }.
 * Anything else (explicit curve parameters, a compressed point, another curve) is not an SM2 key we use.
 */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');
/** The AlgorithmIdentifier of an SM2 key inside PKCS#8. */
const PKCS8_ALGORITHM = Buffer.from('301306072a8648ce3d020106082a811ccf5501822d', 'hex');

const publics = new WeakMap<KeyObject, Sm2PublicMaterial>();
const privates = new WeakMap<KeyObject, Sm2PrivateMaterial>();

function invalid(reason: string): ElicenseError {
  return new ElicenseError('KEY_INVALID', reason);
}

/**
 * Reads an SM2 SubjectPublicKeyInfo strictly: exactly the named SM2 curve, an
 * uncompressed point, coordinates below p, on the curve (the curve's cofactor
 * is 1, so such a point is never infinity and always of order n). Throws
 * KEY_INVALID.
 */
export function sm2PublicFromSpki(spkiDer: Uint8Array): Sm2PublicMaterial {
  const der = Buffer.from(spkiDer.buffer, spkiDer.byteOffset, spkiDer.byteLength);
  if (der.length !== SPKI_PREFIX.length + 65 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    throw invalid('not an SM2 public key (named curve 1.2.156.10197.1.301, uncompressed point)');
  }
  const point = der.subarray(SPKI_PREFIX.length);
  if (point[0] !== 0x04) throw invalid('the SM2 public point is not uncompressed');
  const x = bytesToBigint(point.subarray(1, 33));
  const y = bytesToBigint(point.subarray(33, 65));
  if (!isOnSm2Curve(x, y)) throw invalid('the SM2 public point is not on the curve');
  const copy = Uint8Array.from(der);
  return Object.freeze({ spkiDer: copy, x, y, point: copy.subarray(SPKI_PREFIX.length), za: sm2Za(x, y, sm2DefaultIdBytes()) });
}

/**
 * The SM2 public material of a public or private KeyObject, cached per
 * KeyObject. Node names a key on the SM2 curve `ec` when it generated it,
 * but gives no type at all (OpenSSL's EVP_PKEY_SM2) to one it read from
 * DER or PEM — a certificate's key, a stored key: both are accepted when
 * their SubjectPublicKeyInfo is exactly an SM2 key. Throws KEY_INVALID.
 */
export function sm2PublicMaterial(key: KeyObject): Sm2PublicMaterial {
  let m = publics.get(key);
  if (m === undefined) {
    if (key.type === 'secret') throw invalid('an SM2 key is asymmetric');
    const type = key.asymmetricKeyType;
    if (type !== undefined && (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'SM2')) throw invalid('not a key on the SM2 curve');
    let spki: Buffer;
    try {
      const pub = key.type === 'private' ? createPublicKey(key) : key;
      spki = pub.export({ type: 'spki', format: 'der' });
    } catch {
      throw invalid('the key cannot be exported as a SubjectPublicKeyInfo');
    }
    m = sm2PublicFromSpki(spki);
    publics.set(key, m);
  }
  return m;
}

/** True when key is a public or private key on the SM2 curve (see sm2PublicMaterial). Never throws. */
export function isSm2Key(key: KeyObject): boolean {
  try {
    sm2PublicMaterial(key);
    return true;
  } catch {
    return false;
  }
}

/** One DER TLV at pos: its tag, where its content starts and ends. Definite lengths up to 2 bytes. */
function tlv(der: Uint8Array, pos: number): { tag: number; start: number; end: number } {
  const tag = der[pos];
  let len = der[pos + 1];
  let start = pos + 2;
  if (tag === undefined || len === undefined) throw invalid('truncated PKCS#8');
  if (len === 0x81) {
    len = der[start] ?? 0;
    start += 1;
  } else if (len === 0x82) {
    len = ((der[start] ?? 0) << 8) | (der[start + 1] ?? 0);
    start += 2;
  } else if (len > 0x80) {
    throw invalid('unsupported PKCS#8 length');
  }
  const end = start + len;
  if (end > der.length) throw invalid('truncated PKCS#8');
  return { tag, start, end };
}

/**
 * The scalar d of an SM2 PKCS#8 (RFC 5208 wrapping an RFC 5915 ECPrivateKey):
 * the algorithm must be exactly id-ecPublicKey on the SM2 curve, and d in [1, n−2]
 * (SM2 signing divides by 1 + d).
 */
export function sm2ScalarFromPkcs8(pkcs8Der: Uint8Array): bigint {
  const top = tlv(pkcs8Der, 0);
  if (top.tag !== 0x30) throw invalid('PKCS#8 is a SEQUENCE');
  const version = tlv(pkcs8Der, top.start);
  const alg = tlv(pkcs8Der, version.end);
  if (!Buffer.from(pkcs8Der.subarray(version.end, alg.end)).equals(PKCS8_ALGORITHM)) throw invalid('not an SM2 private key');
  const wrapped = tlv(pkcs8Der, alg.end);
  if (wrapped.tag !== 0x04) throw invalid('PKCS#8 privateKey is an OCTET STRING');
  const ecSeq = tlv(pkcs8Der, wrapped.start);
  if (ecSeq.tag !== 0x30) throw invalid('ECPrivateKey is a SEQUENCE');
  const ecVersion = tlv(pkcs8Der, ecSeq.start);
  const dOctets = tlv(pkcs8Der, ecVersion.end);
  if (dOctets.tag !== 0x04 || dOctets.end - dOctets.start > 32 || dOctets.end === dOctets.start) throw invalid('ECPrivateKey privateKey is an OCTET STRING of at most 32 bytes');
  const d = bytesToBigint(pkcs8Der.subarray(dOctets.start, dOctets.end));
  if (d < 1n || d > SM2_CURVE.n - 2n) throw invalid('the SM2 private scalar is out of range');
  return d;
}

/** The SM2 private material of a private KeyObject, cached per KeyObject. Throws KEY_INVALID. */
export function sm2PrivateMaterial(key: KeyObject): Sm2PrivateMaterial {
  let m = privates.get(key);
  if (m === undefined) {
    if (key.type !== 'private') throw invalid('SM2 signing needs a private key');
    const publicKey = sm2PublicMaterial(key);
    const pkcs8Der = Uint8Array.from(key.export({ type: 'pkcs8', format: 'der' }));
    m = Object.freeze({ pkcs8Der, d: sm2ScalarFromPkcs8(pkcs8Der), publicKey });
    privates.set(key, m);
  }
  return m;
}

