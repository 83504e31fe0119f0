/** One DER INTEGER from unsigned big-endian magnitude bytes: leading zeros trimmed, a 0x00 pad when the top bit is set. */
function derInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const body = trimmed[0]! & 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : Buffer.from(trimmed);
  return Buffer.concat([Buffer.of(0x02, body.length), body]);
}

/**
 * The fixed-size r‖s form a Signer returns for ES256 as the DER
 * ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) that X.509 and CMS
 * carry; the inverse of ecdsaDerToP1363. Scalars up to 64 bytes each, so
 * every length fits in one byte (short or 0x81 form).
 */
export function ecdsaP1363ToDer(rs: Uint8Array): Buffer {
  if (rs.length === 0 || rs.length % 2 !== 0 || rs.length > 128) throw new RangeError('r‖s must have an even length of 2..128 bytes');
  const half = rs.length / 2;
  const body = Buffer.concat([derInteger(rs.subarray(0, half)), derInteger(rs.subarray(half))]);
  return Buffer.concat([body.length < 0x80 ? Buffer.of(0x30, body.length) : Buffer.of(0x30, 0x81, body.length), body]);
}
