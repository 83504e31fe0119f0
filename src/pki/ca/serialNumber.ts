import { randomBytes as nodeRandomBytes } from 'node:crypto';

export type RandomBytes = (length: number) => Uint8Array;

export const systemRandomBytes: RandomBytes = (n) => new Uint8Array(nodeRandomBytes(n));

/**
 * A positive 16-byte serial number with 126 random bits: the top bit is
 * cleared (positive INTEGER) and bit 0x40 set so the encoding is always
 * exactly 16 bytes (RFC 5280 allows at most 20).
 */
export function randomSerialNumber(randomBytes: RandomBytes = systemRandomBytes): Uint8Array {
  const serial = Uint8Array.from(randomBytes(16));
  if (serial.length !== 16) throw new RangeError('randomBytes returned the wrong length');
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return serial;
}
