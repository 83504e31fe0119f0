/**
 * Minimal strict DER reader: enough to slice raw fields out of certificates,
 * CSRs and names without re-encoding them.
 */
import { ElicenseError, type ErrorCode } from '../../../errors';

export interface DerElement {
  /** Identifier octet (single-byte tags only; X.509 needs no others). */
  tag: number;
  /** The whole TLV. */
  raw: Uint8Array;
  /** The value octets. */
  content: Uint8Array;
}

export function readDerElement(bytes: Uint8Array, offset = 0, errorCode: ErrorCode = 'CERT_MALFORMED'): DerElement {
  const fail = (why: string): never => {
    throw new ElicenseError(errorCode, `malformed DER: ${why}`);
  };
  if (offset + 2 > bytes.length) fail('truncated header');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tags are not supported');
  let length = bytes[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) fail('indefinite length');
    if (n > 4) fail('length too large');
    if (offset + 2 + n > bytes.length) fail('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[offset + 2 + i]!;
    if (length < 0x80 || bytes[offset + 2] === 0) fail('non-minimal length');
    header += n;
  }
  const end = offset + header + length;
  if (end > bytes.length) fail('truncated value');
  return { tag, raw: bytes.subarray(offset, end), content: bytes.subarray(offset + header, end) };
}

/** Reads one element that must span the whole input. */
export function readDerWhole(bytes: Uint8Array, errorCode: ErrorCode = 'CERT_MALFORMED'): DerElement {
  const el = readDerElement(bytes, 0, errorCode);
  if (el.raw.length !== bytes.length) throw new ElicenseError(errorCode, 'malformed DER: trailing bytes');
  return el;
}

/** The elements inside a constructed element, in order. */
export function readDerChildren(parent: DerElement, errorCode: ErrorCode = 'CERT_MALFORMED'): DerElement[] {
  if ((parent.tag & 0x20) === 0) throw new ElicenseError(errorCode, 'malformed DER: expected a constructed element');
  const out: DerElement[] = [];
  for (let offset = 0; offset < parent.content.length; ) {
    const el = readDerElement(parent.content, offset, errorCode);
    out.push(el);
    offset += el.raw.length;
  }
  return out;
}
