import type { KeyObject } from 'node:crypto';
import type { Sm2Backend } from './Sm2Backend';
import { sm2Backend } from './chooseSm2Backend';
import { SM2_CURVE, SM2_SIGNATURE_BYTES, bytesToBigint, sm2DefaultIdBytes } from './sm2Curve';
import { sm2PublicMaterial } from './sm2KeyMaterial';

/**
 * Verifies an SM2-with-SM3 signature (r‖s, 64 bytes) over data with the
 * default distinguishing ID. Strict: exactly 64 bytes; r and s in [1, n−1];
 * the key exactly on the named SM2 curve with a valid point. False for
 * anything else; never throws.
 */
export function sm2Verify(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array, backend: Sm2Backend = sm2Backend()): boolean {
  if (signature.byteLength !== SM2_SIGNATURE_BYTES) return false;
  const r = bytesToBigint(signature.subarray(0, 32));
  const s = bytesToBigint(signature.subarray(32));
  if (r < 1n || r >= SM2_CURVE.n || s < 1n || s >= SM2_CURVE.n) return false;
  try {
    return backend.verify(sm2PublicMaterial(publicKey), data, signature, sm2DefaultIdBytes()) === true;
  } catch {
    return false;
  }
}
