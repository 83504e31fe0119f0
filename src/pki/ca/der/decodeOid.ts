import { ElicenseError, type ErrorCode } from '../../../errors';

/**
 * OBJECT IDENTIFIER content octets → dotted decimal. BigInt, because our
 * placeholder arc (2.25.<128-bit UUID>) is beyond what asn1js and node-forge
 * decode faithfully (asn1js yields "{hex}", forge throws).
 */
export function decodeOid(content: Uint8Array, errorCode: ErrorCode = 'CERT_MALFORMED'): string {
  if (content.length === 0) throw new ElicenseError(errorCode, 'malformed OID: empty');
  const subids: bigint[] = [];
  let value = 0n;
  let fresh = true;
  for (const byte of content) {
    if (fresh && byte === 0x80) throw new ElicenseError(errorCode, 'malformed OID: non-minimal sub-identifier');
    value = (value << 7n) | BigInt(byte & 0x7f);
    fresh = false;
    if ((byte & 0x80) === 0) {
      subids.push(value);
      value = 0n;
      fresh = true;
    }
  }
  if (!fresh) throw new ElicenseError(errorCode, 'malformed OID: truncated sub-identifier');
  const first = subids[0]!;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...subids.slice(1)].join('.');
}
