import { SM2_CURVE, scalarBytes } from './sm2Curve';
import { sm3 } from './sm3';

/**
 * Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 5.5),
 * ENTL_A the bit length of ID_A on two bytes.
 */
export function sm2Za(x: bigint, y: bigint, id: Uint8Array): Buffer {
  const bits = id.length * 8;
  if (bits > 0xffff) throw new RangeError('an SM2 distinguishing ID is at most 8191 bytes');
  const { a, b, gx, gy } = SM2_CURVE;
  return sm3(Buffer.of(bits >> 8, bits & 0xff), id, scalarBytes(a), scalarBytes(b), scalarBytes(gx), scalarBytes(gy), scalarBytes(x), scalarBytes(y));
}
