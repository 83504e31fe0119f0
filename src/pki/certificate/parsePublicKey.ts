import { KeyObject, createPublicKey } from 'node:crypto';
import { isSm2Key } from '../../crypto/sm2/sm2KeyMaterial';
import { OID } from '../oids';
import { DerReader, contents, decodeOid } from './DerReader';

const NAMED_CURVES = new Set(['1.2.840.10045.3.1.7', '1.3.132.0.34', '1.3.132.0.35']);
/** Below this an RSA key is refused (as in the Web PKI); our own keys are 2048+ or EC. */
export const MIN_RSA_BITS = 2048;

/**
 * Imports a SubjectPublicKeyInfo if its algorithm is one we accept: RSA
 * (>= 2048 bits, whole bytes), EC on P-256/384/521 by named curve, SM2 (the named
 * SM2 curve, uncompressed point on the curve), Ed25519, Ed448.
 * Returns the reason otherwise (explicit curves, P-192, DSA, weak RSA...).
 */
export function parsePublicKey(spki: Uint8Array): KeyObject | string {
  let algOid: string;
  let params: { tag: number; value: Uint8Array } | undefined;
  try {
    const r = DerReader.inside(spki, new DerReader(spki).read(0x30, 'SubjectPublicKeyInfo'));
    const alg = DerReader.inside(spki, r.read(0x30, 'algorithm'));
    algOid = decodeOid(contents(spki, alg.read(0x06)));
    if (!alg.done) {
      const p = alg.read();
      params = { tag: p.tag, value: contents(spki, p) };
    }
  } catch {
    return 'malformed SubjectPublicKeyInfo';
  }
  switch (algOid) {
    case '1.2.840.113549.1.1.1':
    case '1.2.840.113549.1.1.10':
      break;
    case '1.2.840.10045.2.1':
      if (!params || params.tag !== 0x06) return 'EC key without a named curve';
      if (decodeOid(params.value) === OID.sm2Curve) return sm2PublicKey(spki);
      if (!NAMED_CURVES.has(decodeOid(params.value))) return `EC curve ${decodeOid(params.value)} not allowed`;
      break;
    case '1.3.101.112':
    case '1.3.101.113':
      if (params) return 'EdDSA key with parameters';
      break;
    default:
      return `public key algorithm ${algOid} not allowed`;
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return 'public key does not import';
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && (bits < MIN_RSA_BITS || bits % 8 !== 0)) return `RSA key of ${bits} bits not allowed`;
  return key;
}

/** An SM2 key, checked as the crypto layer uses it (named curve, uncompressed point on the curve). */
function sm2PublicKey(spki: Uint8Array): KeyObject | string {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return 'public key does not import';
  }
  return isSm2Key(key) ? key : 'SM2 public key not usable (uncompressed point on the SM2 curve required)';
}
