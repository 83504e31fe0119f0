import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { parseLicenseIdentifier } from '../../codes/licenseIdentifier';
import type { Signer } from '../../crypto/Signer';
import { ElicenseError } from '../../errors';
import type { FullForm } from '../../format/FullForm';
import { licenseSigningPayload } from '../../format/signingInput';
import type { TypeStandard } from '../../standards/generated/TypeStandard';
import { base45Decode, base45Encode } from './base45';
import { decodeCborStrict } from './decodeCborStrict';
import { COSE_ALGORITHMS, cborEncoder, coseSign1ToBeSigned, decodeLicenseCose, encodeCoseSign1, encodeProtectedHeader, type CoseSign1 } from './coseSign1';
import { toLowS } from './ecdsaLowS';

/** Prefix of the compact QR form (context identifier, as "HC1:" in the EU DCC). */
export const COMPACT_PREFIX = 'LC1:';
/** Longest QR text we read (a version 40 QR holds 4,296 alphanumeric characters). */
export const MAX_COMPACT_TEXT = 4296;
/** Decompressed payload cap: a licence's COSE is well under 2 KB; anything bigger is a bomb. */
export const MAX_INFLATED_BYTES = 16 * 1024;
const INFLATE_CHUNK_BYTES = 1024;
/** Bytes of SHA-256 over the full form's canonical record kept in the QR (128 bits bind them). */
export const FULL_FORM_DIGEST_BYTES = 16;

/**
 * Integer claim keys: small keys keep the CBOR (and the QR) small. The type
 * code and the issuer code are not claims of their own: the GB/T 36904
 * identifier already carries both (and its check character covers them).
 */
export const CLAIM = {
  identifier: 1,
  standardVersion: 3,
  effectiveDate: 5,
  expiringDate: 6,
  holderName: 7,
  face: 8,
  fullFormDigest: 9,
  signedAt: 10,
  /**
   * The licence's status-list entry, so that a verifier in another region can
   * look the status up offline: [list, index], where list is the number n when
   * the list id is "<issuer code>-<n>" (this node's convention) and the list
   * id text otherwise. Optional: older QRs without it read as before.
   */
  statusEntry: 11,
  /**
   * How many holders the licence names after the one in holderName (envelope 1.1.0 co-owners): the QR
   * carries the first holder and the count of the others. Absent when there is one holder.
   */
  otherHolderCount: 12,
} as const;

export interface CompactClaims {
  identifier: string;
  typeCode: string;
  standardVersion: string;
  issuerCode: string;
  effectiveDate: string;
  expiringDate?: string;
  holderName: string;
  /** Holders after the first (absent: none). */
  otherHolderCount?: number;
  /** The type standard's qrFields and their values (keys "#<n>" when the standard is not known to the reader). */
  face: Record<string, unknown>;
  /** The standard's qrFields in order (encoding only). */
  faceOrder: readonly string[];
  fullFormDigest: Uint8Array;
  signedAt: Date;
  statusEntry?: { listId: string; index: number };
}

/** SHA-256 of the record's RFC 8785 bytes, truncated: what binds a QR to its full form. */
export function fullFormDigest(form: FullForm): Uint8Array {
  return createHash('sha256').update(licenseSigningPayload(form.license)).digest().subarray(0, FULL_FORM_DIGEST_BYTES);
}

/** The claims a QR carries for a licence: identification, validity, the holder's name and the standard's QR fields (no citizen ID number). */
export function compactClaimsOf(form: FullForm, standard: TypeStandard, signedAt: Date): CompactClaims {
  const r = form.license;
  const extend = (r['extendInfo'] ?? {}) as Record<string, unknown>;
  const face: Record<string, unknown> = {};
  for (const f of standard.qrFields) if (extend[f] !== undefined) face[f] = extend[f];
  return {
    identifier: String(r['certificateIdentifier']),
    typeCode: String(r['certificateTypeCode']),
    standardVersion: String(r['standardVersion']),
    issuerCode: String(r['certificateIssuingAuthorityCode']),
    effectiveDate: String(r['certificateEffectiveDate']),
    ...(typeof r['certificateExpiringDate'] === 'string' ? { expiringDate: r['certificateExpiringDate'] } : {}),
    holderName: String(r['certificateHolderName']),
    ...(Array.isArray(r['certificateOtherHolders']) && r['certificateOtherHolders'].length > 0 ? { otherHolderCount: r['certificateOtherHolders'].length } : {}),
    face,
    faceOrder: standard.qrFields,
    fullFormDigest: fullFormDigest(form),
    signedAt,
    ...(isStatusEntry(r['statusEntry']) ? { statusEntry: { listId: r['statusEntry'].listId, index: r['statusEntry'].index } } : {}),
  };
}

function isStatusEntry(v: unknown): v is { listId: string; index: number } {
  const e = v as { listId?: unknown; index?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.listId === 'string' && Number.isSafeInteger(e.index);
}

function statusEntryToCbor(e: { listId: string; index: number }, issuerCode: string): [number | string, number] {
  const m = /^(.*)-([1-9][0-9]{0,8})$/.exec(e.listId);
  return [m && m[1] === issuerCode ? Number(m[2]) : e.listId, e.index];
}

function claimsToCbor(c: CompactClaims): Uint8Array {
  const m = new Map<number, unknown>([
    [CLAIM.identifier, c.identifier],
    [CLAIM.standardVersion, c.standardVersion],
    [CLAIM.effectiveDate, c.effectiveDate],
    ...(c.expiringDate !== undefined ? ([[CLAIM.expiringDate, c.expiringDate]] as const) : []),
    [CLAIM.holderName, c.holderName],
    // Face fields are keyed by their position in the type standard's qrFields (the names would
    // take a fifth of the QR). A value equal to the holder's name (a firm's name on its business
    // licence) is sent once: CBOR `undefined` stands for "the holder's name".
    [CLAIM.face, new Map(c.faceOrder.flatMap((name, i) => (name in c.face ? [[i, c.face[name] === c.holderName ? undefined : c.face[name]]] : [])))],
    [CLAIM.fullFormDigest, Buffer.from(c.fullFormDigest)],
    [CLAIM.signedAt, Math.floor(c.signedAt.getTime() / 1000)],
    ...(c.statusEntry ? ([[CLAIM.statusEntry, statusEntryToCbor(c.statusEntry, c.issuerCode)]] as const) : []),
    ...(c.otherHolderCount !== undefined ? ([[CLAIM.otherHolderCount, c.otherHolderCount]] as const) : []),
  ]);
  return cborEncoder.encode(m);
}

/**
 * The compact QR form: CBOR claims in a COSE_Sign1 signed by the department's
 * key (kid = the full form's key id bytes), deflated, base45, prefixed — the
 * EU DCC chain (docs/adr/0003). The text fits an alphanumeric-mode QR code.
 */
export async function encodeCompactLicense(form: FullForm, standard: TypeStandard, signer: Signer, at: Date): Promise<string> {
  const payload = claimsToCbor(compactClaimsOf(form, standard, at));
  const protectedBytes = encodeProtectedHeader(COSE_ALGORITHMS[signer.algorithm], Buffer.from(signer.keyId, 'base64url'));
  const signed = await signer.sign(coseSign1ToBeSigned(protectedBytes, payload));
  // The signer's ECDSA gives a high S half the time; the QR profile has one encoding (docs/adr/0003).
  const signature = signer.algorithm === 'ES256' ? toLowS(signed) : signed;
  const cose = encodeCoseSign1(protectedBytes, payload, signature);
  return COMPACT_PREFIX + base45Encode(deflateSync(cose, { level: 9 }));
}

export interface DecodedCompactLicense {
  cose: CoseSign1;
  claims: CompactClaims;
}

/**
 * Reads QR text back, refusing anything off the expected path: the prefix
 * (QR_PREFIX_INVALID), base45 (QR_ENCODING_INVALID), a zlib stream that would
 * inflate beyond MAX_INFLATED_BYTES (QR_DECOMPRESSION_LIMIT), COSE and CBOR
 * structure (COSE_MALFORMED), and any second encoding of the same licence
 * QR: bytes after the zlib stream, another COSE wrapper, unprotected headers,
 * a high-S ES256 signature (QR_NOT_CANONICAL). The signature is NOT checked here.
 */
export function decodeCompactLicense(text: string, qrFieldsOf?: (typeCode: string, version: string) => readonly string[] | undefined): DecodedCompactLicense {
  const cose = decodeLicenseCose(unwrapCompactText(text));
  const claims = claimsFromCbor(cose.payload);
  return { cose, claims: qrFieldsOf ? withFaceNames(claims, qrFieldsOf(claims.typeCode, claims.standardVersion) ?? []) : claims };
}

/** One decoding of a QR text however often it is asked for (its error too, thrown again each time). */
export function decodeCompactOnce(text: string): () => DecodedCompactLicense {
  let outcome: { ok: true; value: DecodedCompactLicense } | { ok: false; error: unknown } | undefined;
  return () => {
    if (!outcome) {
      try {
        outcome = { ok: true, value: decodeCompactLicense(text.trim()) };
      } catch (error) {
        outcome = { ok: false, error };
      }
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };
}

/**
 * Claims decoded without the type standard (face keys "#<position>") given
 * the names of the standard's qrFields, so that one decoding serves both a
 * reader without the catalogue and the verifier.
 */
export function withFaceNames(claims: CompactClaims, names: readonly string[]): CompactClaims {
  if (names.length === 0) return claims;
  const face: Record<string, unknown> = {};
  for (const k of Object.keys(claims.face)) {
    const name = POSITION_KEY.test(k) ? (names[Number(k.slice(1))] ?? k) : k;
    // An own property, as Object.fromEntries makes, whatever the name ("__proto__" included).
    if (name === '__proto__') Object.defineProperty(face, name, { value: claims.face[k], enumerable: true, writable: true, configurable: true });
    else face[name] = claims.face[k];
  }
  return { ...claims, face, faceOrder: names };
}

const POSITION_KEY = /^#\d+$/;

/**
 * The transport layers of a QR text, outside in: length, prefix
 * (QR_PREFIX_INVALID), base45 (QR_ENCODING_INVALID), capped zlib inflation
 * (QR_DECOMPRESSION_LIMIT), nothing after the zlib stream (QR_NOT_CANONICAL).
 * Returns the COSE bytes. The prefix is a parameter so the same code reads the
 * EU DCC test data ("HC1:").
 */
export function unwrapCompactText(text: string, prefix: string = COMPACT_PREFIX): Uint8Array {
  if (text.length > MAX_COMPACT_TEXT) throw new ElicenseError('INPUT_TOO_LARGE', `QR text longer than ${MAX_COMPACT_TEXT} characters`);
  if (!text.startsWith(prefix)) throw new ElicenseError('QR_PREFIX_INVALID', `the QR text does not start with ${prefix}`);
  return inflateLimited(base45Decode(text.slice(prefix.length)));
}

/**
 * zlib inflate with an output cap, so a small QR cannot expand into megabytes.
 * zlib stops at the end of its stream and ignores what follows; bytes there
 * would make a second text of the same QR, so they are refused.
 */
export function inflateLimited(compressed: Uint8Array, max = MAX_INFLATED_BYTES): Uint8Array {
  let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // Output in 1 KiB chunks: a licence QR inflates to about 1 KiB, and zlib's default 16 KiB chunk is
    // allocated outside Node's buffer pool on every call (~2 of the ~6 µs an inflation took, measured).
    inflated = inflateSync(compressed, { maxOutputLength: max, info: true, chunkSize: INFLATE_CHUNK_BYTES }) as unknown as typeof inflated;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ElicenseError('QR_DECOMPRESSION_LIMIT', `the QR payload inflates beyond ${max} bytes`);
    }
    throw new ElicenseError('QR_ENCODING_INVALID', 'the QR payload is not a zlib stream');
  }
  if (inflated.engine.bytesWritten !== compressed.length) {
    throw new ElicenseError('QR_NOT_CANONICAL', `${compressed.length - inflated.engine.bytesWritten} bytes follow the zlib stream`);
  }
  return inflated.buffer;
}

function claimsFromCbor(payload: Uint8Array): CompactClaims {
  const m = decodeCborStrict(payload, { maxDepth: 6, maxItems: 512 });
  if (!(m instanceof Map)) throw new ElicenseError('COSE_MALFORMED', 'claims must be a map');
  const str = (k: number, optional = false): string | undefined => {
    const v = m.get(k);
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.length > 512) throw new ElicenseError('COSE_MALFORMED', `claim ${k} must be a text string`);
    return v;
  };
  const face = m.get(CLAIM.face);
  const digest = m.get(CLAIM.fullFormDigest);
  const signedAt = m.get(CLAIM.signedAt);
  if (!(face instanceof Map)) throw new ElicenseError('COSE_MALFORMED', 'face claims must be a map keyed by qrFields positions');
  for (const k of face.keys()) {
    if (!(Number.isSafeInteger(k) && (k as number) >= 0 && (k as number) < 64)) throw new ElicenseError('COSE_MALFORMED', 'face claims must be a map keyed by qrFields positions');
  }
  if (!(digest instanceof Uint8Array) || digest.length !== FULL_FORM_DIGEST_BYTES) throw new ElicenseError('COSE_MALFORMED', 'full-form digest missing');
  if (typeof signedAt !== 'number' || !Number.isSafeInteger(signedAt)) throw new ElicenseError('COSE_MALFORMED', 'signing time missing');
  const expiringDate = str(CLAIM.expiringDate, true);
  const holderName = str(CLAIM.holderName)!;
  const identifier = str(CLAIM.identifier)!;
  const parsed = parseLicenseIdentifier(identifier);
  if (!parsed.ok) throw new ElicenseError('COSE_MALFORMED', `identifier claim: ${parsed.message}`);
  const standardVersion = str(CLAIM.standardVersion)!;
  const entry = m.get(CLAIM.statusEntry);
  let statusEntry: { listId: string; index: number } | undefined;
  if (entry !== undefined) {
    const [list, index] = Array.isArray(entry) && entry.length === 2 ? (entry as [unknown, unknown]) : [undefined, undefined];
    const listId = Number.isSafeInteger(list) && (list as number) > 0 ? `${parsed.value.issuerCode}-${list as number}` : typeof list === 'string' && /^[0-9A-Za-z._-]{1,64}$/.test(list) ? list : undefined;
    if (listId === undefined || !Number.isSafeInteger(index) || (index as number) < 0) throw new ElicenseError('COSE_MALFORMED', 'status entry claim must be [list, index]');
    statusEntry = { listId, index: index as number };
  }
  const others = m.get(CLAIM.otherHolderCount);
  if (others !== undefined && !(Number.isSafeInteger(others) && (others as number) >= 1 && (others as number) <= 49)) {
    throw new ElicenseError('COSE_MALFORMED', 'other-holder count claim must be an integer 1..49');
  }
  return {
    identifier,
    typeCode: parsed.value.typeCode,
    standardVersion,
    issuerCode: parsed.value.issuerCode,
    effectiveDate: str(CLAIM.effectiveDate)!,
    ...(expiringDate !== undefined ? { expiringDate } : {}),
    holderName,
    ...(others !== undefined ? { otherHolderCount: others as number } : {}),
    face: faceByPosition(face as Map<number, unknown>, holderName),
    faceOrder: [],
    fullFormDigest: digest,
    signedAt: new Date(signedAt * 1000),
    ...(statusEntry ? { statusEntry } : {}),
  };
}

/** Face claims keyed "#<position>" (CBOR `undefined` stands for the holder's name), in the map's order. */
function faceByPosition(face: Map<number, unknown>, holderName: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [i, v] of face) out[`#${i}`] = v === undefined ? holderName : v;
  return out;
}
