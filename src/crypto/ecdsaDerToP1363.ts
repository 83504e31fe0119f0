/**
 * Strict DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) to the
 * fixed-size r‖s form JWS uses. Returns undefined for anything that is not
 * exactly DER: wrong tags, non-minimal lengths or integers, negative values,
 * values wider than the curve, trailing bytes. For HSM/KMS back ends that
 * return DER signatures, and for the Wycheproof DER vectors.
 */
export function ecdsaDerToP1363(der: Uint8Array, scalarBytes = 32): Buffer | undefined {
  if (der.length < 2 || der[0] !== 0x30) return undefined;
  let pos = 1;
  let seqLen = der[pos++]!;
  if (seqLen === 0x81) {
    seqLen = der[pos++] ?? 0;
    if (seqLen < 0x80) return undefined; // long form where short would do
  } else if (seqLen > 0x80) {
    return undefined; // no ECDSA signature we accept needs more than one length byte
  } else if (seqLen === 0x80) {
    return undefined; // indefinite length is BER, not DER
  }
  if (pos + seqLen !== der.length) return undefined;
  const out = Buffer.alloc(2 * scalarBytes);
  for (let k = 0; k < 2; k++) {
    if (der[pos++] !== 0x02) return undefined;
    const len = der[pos++];
    if (len === undefined || len === 0 || len >= 0x80 || pos + len > der.length) return undefined;
    let start = pos;
    let width = len;
    if (der[start]! & 0x80) return undefined; // negative
    if (der[start] === 0x00) {
      if (len === 1) {
        // the value zero, minimally encoded
      } else {
        if (!(der[start + 1]! & 0x80)) return undefined; // superfluous leading zero
        start++;
        width--;
      }
    }
    if (width > scalarBytes) return undefined;
    out.set(der.subarray(start, start + width), (k + 1) * scalarBytes - width);
    pos += len;
  }
  return pos === der.length ? out : undefined;
}
