import cbor from 'cbor';
import { ElicenseError } from '../../errors';
import { decodeCborStrict } from './decodeCborStrict';
import { isHighS } from './ecdsaLowS';

/**
 * COSE algorithm identifiers (RFC 9053 / IANA) of our allow-list. SM2 has no
 * IANA value: -65537 is the first of the private-use range (below -65536),
 * docs/adr/0009-national-cryptography.md.
 */
export const COSE_ALGORITHMS = { ES256: -7, EdDSA: -8, PS256: -37, SM2: -65537 } as const;
export type CoseAlgorithmName = keyof typeof COSE_ALGORITHMS;
const COSE_SIGN1_TAG = 18;
const CWT_TAG = 61;
const HEADER_ALG = 1;
const HEADER_KID = 4;

/** Writing CBOR (issuance side) with the pure-JS `cbor` package; reading untrusted CBOR with our strict decoder. */
export const cborEncoder = { encode: (value: unknown): Buffer => cbor.encodeOne(value) };
export const cborDecoder = { decode: (bytes: Uint8Array): unknown => decodeCborStrict(bytes, { maxDepth: 16, maxItems: 10_000 }) };

/** CBOR head (major type + argument) for the fixed-shape Sig_structure below. */
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.of((major << 5) | n);
  if (n < 0x100) return Buffer.of((major << 5) | 24, n);
  if (n < 0x10000) return Buffer.of((major << 5) | 25, n >> 8, n & 0xff);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
const SIG_STRUCTURE_PREFIX = Buffer.concat([head(4, 4), head(3, 10), Buffer.from('Signature1', 'ascii')]);
const EMPTY_BSTR = head(2, 0);
const TAG_18 = head(6, COSE_SIGN1_TAG);
const ARRAY_OF_4 = head(4, 4);
const EMPTY_MAP = head(5, 0);

export interface CoseSign1 {
  /** Serialised protected header (part of what is signed). */
  protectedBytes: Uint8Array;
  alg: number;
  kid: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** Sig_structure of RFC 9052 section 4.4 for COSE_Sign1 with no external data. */
export function coseSign1ToBeSigned(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  // ["Signature1", protected, external_aad = h'', payload]: encoded directly, it is on every verification.
  return Buffer.concat([SIG_STRUCTURE_PREFIX, head(2, protectedBytes.length), protectedBytes, EMPTY_BSTR, head(2, payload.length), payload]);
}

export function encodeProtectedHeader(alg: number, kid: Uint8Array): Uint8Array {
  return cborEncoder.encode(new Map<number, unknown>([[HEADER_ALG, alg], [HEADER_KID, Buffer.from(kid)]]));
}

/**
 * The one encoding of a licence QR's COSE_Sign1: tag 18, shortest heads, an
 * empty unprotected header (written by hand, as the Sig_structure: the LC1
 * reader compares what it is given with exactly these bytes).
 */
export function encodeCoseSign1(protectedBytes: Uint8Array, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  const bstr = (b: Uint8Array) => [head(2, b.length), b];
  return Buffer.concat([TAG_18, ARRAY_OF_4, ...bstr(protectedBytes), EMPTY_MAP, ...bstr(payload), ...bstr(signature)]);
}

const bytesOf = (v: unknown): Uint8Array | undefined => (v instanceof Uint8Array ? v : undefined);

/**
 * The licence QR profile (LC1) on top of decodeCoseSign1, which also reads the
 * EU DCC's variants: the bytes must be exactly what encodeCoseSign1 writes (so
 * no CWT tag, no untagged array, no unprotected header, no longer heads) and
 * an ES256 signature must be low-S; anything else re-encodes the same signed
 * content and is QR_NOT_CANONICAL. The protected header holds alg and kid
 * only (COSE_MALFORMED otherwise: an unknown header might be critical).
 */
export function decodeLicenseCose(bytes: Uint8Array): CoseSign1 {
  const { cose, header } = decodeCoseSign1Parts(bytes);
  for (const l of header.keys()) if (l !== HEADER_ALG && l !== HEADER_KID) throw malformed('the protected header holds alg and kid only');
  const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (!view(bytes).equals(view(encodeCoseSign1(cose.protectedBytes, cose.payload, cose.signature)))) {
    throw notCanonical('the COSE_Sign1 is not in its one encoding (tag 18, shortest lengths, empty unprotected header)');
  }
  if (cose.alg === COSE_ALGORITHMS.ES256 && isHighS(cose.signature)) throw notCanonical('the ES256 signature is not low-S');
  return cose;
}

function notCanonical(message: string): ElicenseError {
  return new ElicenseError('QR_NOT_CANONICAL', message);
}

/**
 * Strict COSE_Sign1 decoding: well-formed CBOR without repeated map keys, the
 * tag 18 (optionally inside the CWT tag 61, or an untagged array, which the
 * EU DCC also allows), exactly four
 * elements of the right types, a protected header map with an integer alg and
 * a byte-string kid (kid may sit in the unprotected header, as some DCC
 * issuers do). Errors are COSE_MALFORMED.
 */
export function decodeCoseSign1(bytes: Uint8Array): CoseSign1 {
  return decodeCoseSign1Parts(bytes).cose;
}

/** decodeCoseSign1, with the protected header map it decoded (so that it is decoded once). */
function decodeCoseSign1Parts(bytes: Uint8Array): { cose: CoseSign1; header: Map<unknown, unknown> } {
  let top: unknown = decodeCborStrict(bytes, { maxDepth: 16, maxItems: 10_000 });
  // RFC 8392 allows the CWT tag (61) around the COSE message; unwrap it once.
  if (top instanceof cbor.Tagged && top.tag === CWT_TAG) top = top.value;
  if (top instanceof cbor.Tagged) {
    if (top.tag !== COSE_SIGN1_TAG) throw malformed(`tag ${top.tag} is not COSE_Sign1 (18)`);
    top = top.value;
  }
  if (!Array.isArray(top) || top.length !== 4) throw malformed('COSE_Sign1 is an array of four elements');
  const [p, u, payload, signature] = top as unknown[];
  const protectedBytes = bytesOf(p);
  if (!protectedBytes || !bytesOf(payload) || !bytesOf(signature)) throw malformed('protected header, payload and signature must be byte strings');
  if (!(u instanceof Map)) throw malformed('the unprotected header must be a map');
  let header: unknown = new Map();
  if (protectedBytes.length > 0) {
    header = decodeCborStrict(protectedBytes, { maxDepth: 4, maxItems: 64 });
  }
  if (!(header instanceof Map)) throw malformed('the protected header must be a map');
  const alg = header.get(HEADER_ALG);
  if (alg === undefined && u.has(HEADER_ALG)) {
    // An unprotected alg could be swapped without breaking the signature; the EU DCC tolerates it, we do not.
    throw malformed('alg must be in the protected header (it is in the unprotected one)');
  }
  if (typeof alg !== 'number' || !Number.isInteger(alg)) throw malformed('alg missing from the protected header');
  const kid = bytesOf(header.get(HEADER_KID)) ?? bytesOf(u.get(HEADER_KID));
  if (!kid) throw malformed('kid missing');
  return { cose: { protectedBytes, alg, kid, payload: bytesOf(payload)!, signature: bytesOf(signature)! }, header };
}

function malformed(message: string): ElicenseError {
  return new ElicenseError('COSE_MALFORMED', message);
}

/** Our allow-list name of a COSE algorithm identifier, or undefined for anything else (never "none"). */
export function coseAlgorithmName(alg: number): CoseAlgorithmName | undefined {
  return (Object.keys(COSE_ALGORITHMS) as CoseAlgorithmName[]).find((n) => COSE_ALGORITHMS[n] === alg);
}
