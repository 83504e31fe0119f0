/**
 * Minimal DER writer for assembling certificates (and the CAdES SignedData)
 * from already-encoded parts. We build the TBSCertificate from raw pieces so
 * that nothing is parsed and re-serialised on the way, and OIDs with arcs
 * above 2^53 (our 2.25 placeholder arc) encode exactly; the reading side is
 * pki/certificate/DerReader.ts (decodeOid). Why we write and read DER
 * ourselves: docs/adr/0008-asn1-and-dependencies.md.
 */

export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function encodeTlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.of(tag), encodeLength(content.length), content]);
}

export const encodeSequence = (...parts: Uint8Array[]): Uint8Array => encodeTlv(0x30, concatBytes(parts));

/** Context-specific constructed tag [n] (EXPLICIT wrapping). */
export const encodeExplicit = (n: number, inner: Uint8Array): Uint8Array => encodeTlv(0xa0 | n, inner);

/** INTEGER from big-endian unsigned magnitude bytes (adds a 0x00 pad when the top bit is set). */
export function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const needsPad = trimmed.length === 0 || (trimmed[0]! & 0x80) !== 0;
  return encodeTlv(0x02, needsPad ? concatBytes([Uint8Array.of(0), trimmed]) : trimmed);
}

export const encodeSmallInteger = (n: number): Uint8Array => encodeUnsignedInteger(Uint8Array.of(n));

export const encodeBitString = (bytes: Uint8Array): Uint8Array => encodeTlv(0x03, concatBytes([Uint8Array.of(0), bytes]));

export const encodeOctetString = (bytes: Uint8Array): Uint8Array => encodeTlv(0x04, bytes);

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; always whole seconds, Zulu. */
export function encodeTime(date: Date): Uint8Array {
  const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z'; // YYYYMMDDHHMMSSZ
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new RangeError(`certificate time out of range: ${iso}`);
  return year < 2050
    ? encodeTlv(0x17, new TextEncoder().encode(digits.slice(2)))
    : encodeTlv(0x18, new TextEncoder().encode(digits));
}

/** OBJECT IDENTIFIER from dotted decimal; BigInt arithmetic so 2.25 UUID arcs encode exactly. */
export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`invalid OID: ${oid}`);
    return BigInt(a);
  });
  if (arcs.length < 2 || arcs[0]! > 2n || (arcs[0]! < 2n && arcs[1]! > 39n)) throw new RangeError(`invalid OID: ${oid}`);
  const subids = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const sub of subids) {
    const chunk: number[] = [Number(sub & 0x7fn)];
    for (let v = sub >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    bytes.push(...chunk);
  }
  return encodeTlv(0x06, Uint8Array.from(bytes));
}

export const encodeUtf8String = (s: string): Uint8Array => encodeTlv(0x0c, new TextEncoder().encode(s));

export function encodePrintableString(s: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)) throw new RangeError('not a PrintableString');
  return encodeTlv(0x13, new TextEncoder().encode(s));
}
