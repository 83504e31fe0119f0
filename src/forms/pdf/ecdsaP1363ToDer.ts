/**
 * ECDSA signature from the JWS form (r‖s, fixed width) to the DER
 * ECDSA-Sig-Value that CMS carries: SEQUENCE { INTEGER r, INTEGER s }.
 */
export function ecdsaP1363ToDer(sig: Uint8Array): Uint8Array {
  if (sig.length === 0 || sig.length % 2 !== 0) throw new RangeError('r‖s must have an even, non-zero length');
  const half = sig.length / 2;
  const r = derInteger(sig.subarray(0, half));
  const s = derInteger(sig.subarray(half));
  return Uint8Array.from([0x30, ...derLength(r.length + s.length), ...r, ...s]);
}

function derInteger(unsigned: Uint8Array): number[] {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const body = [...unsigned.subarray(i)];
  if ((body[0] ?? 0) & 0x80) body.unshift(0); // keep it positive
  return [0x02, ...derLength(body.length), ...body];
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}
