import type { KeyObject } from 'node:crypto';
import { keyMatchesAlgorithm } from '../algorithms';
import { verifyBytes } from '../verifyBytes';
import type { DecodedJws } from './decodeDetachedJws';
import { jwsFailure, type JwsFailure } from './JwsFailure';
import { signingInput } from './signingInput';

export type VerifyDetachedResult =
  | { ok: true }
  | JwsFailure<'ALGORITHM_NOT_ALLOWED' | 'ALGORITHM_KEY_MISMATCH' | 'SIGNATURE_INVALID' | 'JWS_MALFORMED'>;

/**
 * Checks a decoded detached JWS over payload with the signer's public key
 * (taken by the caller from the certificate it trusts, never from the header).
 * The key must be of the kind the header's alg needs.
 */
export function verifyDetachedJws(decoded: DecodedJws, payload: Uint8Array, publicKey: KeyObject): VerifyDetachedResult {
  const alg = decoded.algorithm;
  if (alg !== decoded.header['alg']) return jwsFailure('JWS_MALFORMED', 'decoded algorithm and header disagree');
  if (!keyMatchesAlgorithm(alg, publicKey)) return jwsFailure('ALGORITHM_KEY_MISMATCH', `the key cannot verify ${alg}`);
  const payloadB64 = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64url');
  const input = signingInput(decoded.protectedB64, payloadB64);
  return verifyBytes(alg, publicKey, input, decoded.signature) ? { ok: true } : jwsFailure('SIGNATURE_INVALID', 'the signature does not verify');
}
