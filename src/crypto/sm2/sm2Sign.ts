import type { KeyObject } from 'node:crypto';
import type { Sm2Backend } from './Sm2Backend';
import { sm2Backend } from './chooseSm2Backend';
import { SM2_SIGNATURE_BYTES, sm2DefaultIdBytes } from './sm2Curve';
import { sm2PrivateMaterial } from './sm2KeyMaterial';

/**
 * SM2 signature with SM3 (GB/T 32918.2) over data with the default
 * distinguishing ID: r‖s, 64 bytes, e = SM3(Z_A ‖ data). Throws KEY_INVALID
 * for a key that is not a private key on the SM2 curve.
 */
export function sm2Sign(privateKey: KeyObject, data: Uint8Array, backend: Sm2Backend = sm2Backend()): Buffer {
  const signature = backend.sign(sm2PrivateMaterial(privateKey), data, sm2DefaultIdBytes());
  if (signature.byteLength !== SM2_SIGNATURE_BYTES) throw new RangeError(`the ${backend.name} SM2 backend returned ${signature.byteLength} bytes`);
  return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
}
