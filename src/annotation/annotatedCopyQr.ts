import { signCompactJws, verifyCompactJws } from '../crypto/jws';
import type { Signer } from '../crypto/Signer';
import { isElicenseError } from '../errors';
import { ANNOTATED_COPY_QR_PREFIX } from '../forms/detectForm';
import { canonicalJson } from '../json/canonicalJson';
import { parseStrictJson } from '../json/parseStrictJson';
import { ANNOTATED_COPY_FORMAT, ANNOTATED_COPY_VERSION, type AnnotatedCopy, type Annotation } from './AnnotatedCopy';
import { annotationSchemaError } from './annotatedCopySchema';
import { checkAnnotationSigner, type AnnotationTrust, type SignerOutcome } from './checkAnnotationSigner';
import { checkAnnotationTime, signerSummary, type AnnotationCheck, type AnnotationFailure } from './checkAnnotatedCopy';

/** Prefix of an annotated copy's QR text (told apart from a licence's LC1: by detectForm). */
export { ANNOTATED_COPY_QR_PREFIX };
/** JWS `typ` of the QR's compact JWS. */
export const ANNOTATED_COPY_QR_JWS_TYPE = 'elicense-annotated-copy-qr+jws';
/** Longest QR text read: a version 40 symbol holds 2,953 bytes at level L. */
export const MAX_ANNOTATED_COPY_QR_TEXT = 2953;

/**
 * The QR's claims: the annotation in short keys (the QR must stay readable at
 * 150 dpi), and the original's status list entry when it has one, so that a
 * status source can answer for it without the licence.
 */
interface QrClaims {
  v: 1;
  c: string;
  r: string;
  i: string;
  t: string;
  d: string;
  p: string;
  u: { n: string; c: string };
  m: { n: string; c: string };
  a: string;
  n: string;
  s?: { l: string; x: number };
}

/** The original's status list entry, as the QR carries it (statusEntry of the record). */
export interface QrStatusEntry {
  listId: string;
  index: number;
}

/**
 * The copy's QR text: `EAC1:` and a compact JWS (typ
 * elicense-annotated-copy-qr+jws, x5c = the signer's chain, so that it verifies
 * offline under the pinned root like the document) whose payload is the
 * annotation in short keys. Signed by the same trust-list signer as the
 * document; a verifier of the QR sees the copy's terms and asks its status
 * source about the original, but does not see the licence itself.
 */
export async function encodeAnnotatedCopyQr(copy: AnnotatedCopy, signer: Signer): Promise<string> {
  const a = copy.annotatedCopy;
  const entry = (copy.original.license as { statusEntry?: unknown }).statusEntry;
  const s = isStatusEntry(entry) ? { l: entry.listId, x: entry.index } : undefined;
  const claims: QrClaims = {
    v: 1,
    c: a.copyId,
    r: a.region,
    i: a.original.identifier,
    t: a.original.typeCode,
    d: a.original.digest.value,
    p: a.purpose,
    u: { n: a.userDepartment.name, c: a.userDepartment.code },
    m: { n: a.maker.name, c: a.maker.code },
    a: a.madeAt,
    n: a.notAfter,
    ...(s ? { s } : {}),
  };
  const x5c = signer.certificateChain.map((der) => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'));
  return ANNOTATED_COPY_QR_PREFIX + (await signCompactJws(signer, Buffer.from(canonicalJson(claims), 'utf8'), { typ: ANNOTATED_COPY_QR_JWS_TYPE, x5c }));
}

function isStatusEntry(v: unknown): v is QrStatusEntry {
  const e = v as QrStatusEntry | null;
  return typeof e === 'object' && e !== null && typeof e.listId === 'string' && Number.isSafeInteger(e.index);
}

/** Whether text is (meant as) an annotated copy's QR. */
export function isAnnotatedCopyQrText(text: string): boolean {
  return text.trimStart().toUpperCase().startsWith(ANNOTATED_COPY_QR_PREFIX);
}

/** The QR's own checks: the annotation it carries, and the original's status entry when present. */
export type AnnotationQrCheck = AnnotationCheck & { statusEntry?: QrStatusEntry };

const KEYS = new Set(['v', 'c', 'r', 'i', 't', 'd', 'p', 'u', 'm', 'a', 'n', 's']);

/** The annotation of QR claims (unknown keys, wrong shapes: undefined). */
function annotationOfClaims(claims: unknown): { annotation: Annotation; statusEntry?: QrStatusEntry } | undefined {
  const c = claims as Partial<QrClaims> | null;
  if (typeof c !== 'object' || c === null || Array.isArray(c) || Object.keys(c).some((k) => !KEYS.has(k)) || c.v !== 1) return undefined;
  const party = (p: unknown) => (typeof p === 'object' && p !== null && Object.keys(p).length === 2 ? { name: (p as { n: string }).n, code: (p as { c: string }).c } : undefined);
  const userDepartment = party(c.u);
  const maker = party(c.m);
  if (!userDepartment || !maker) return undefined;
  const annotation = {
    format: ANNOTATED_COPY_FORMAT,
    version: ANNOTATED_COPY_VERSION,
    copyId: c.c,
    region: c.r,
    original: { identifier: c.i, typeCode: c.t, digest: { alg: 'SHA-256', value: c.d } },
    purpose: c.p,
    userDepartment,
    maker,
    madeAt: c.a,
    notAfter: c.n,
  } as Annotation;
  if (c.s === undefined) return { annotation };
  const s = c.s as unknown as Record<string, unknown>;
  if (typeof s !== 'object' || s === null || Object.keys(s).length !== 2 || typeof s['l'] !== 'string' || !Number.isSafeInteger(s['x']) || (s['x'] as number) < 0 || s['l'].length > 64) return undefined;
  return { annotation, statusEntry: { listId: s['l'], index: s['x'] as number } };
}

/**
 * Reads and checks a copy's QR text: prefix and size, the compact JWS by a
 * region trust-list signer under a pinned root (checkAnnotationSigner, then
 * the region the claims name), claims that make an annotation of the
 * published schema, and its time. Pure; the failures are data.
 */
export function checkAnnotatedCopyQr(text: string, trust: AnnotationTrust): AnnotationQrCheck {
  const failures: AnnotationFailure[] = [];
  const t = text.trim();
  if (t.length > MAX_ANNOTATED_COPY_QR_TEXT) return { failures: [{ code: 'ANNOTATION_MALFORMED', detail: `an annotated copy's QR text is at most ${MAX_ANNOTATED_COPY_QR_TEXT} characters` }] };
  if (!t.startsWith(ANNOTATED_COPY_QR_PREFIX)) return { failures: [{ code: 'ANNOTATION_MALFORMED', detail: `an annotated copy's QR text begins with ${ANNOTATED_COPY_QR_PREFIX}` }] };
  let signer: SignerOutcome | undefined;
  const verified = verifyCompactJws(t.slice(ANNOTATED_COPY_QR_PREFIX.length), (header) => {
    signer = checkAnnotationSigner(header, ANNOTATED_COPY_QR_JWS_TYPE, undefined, trust);
    return signer.ok ? signer.key : undefined;
  });
  if (signer && !signer.ok) return { failures: [{ code: signer.code, detail: signer.detail }] };
  if (!verified.ok) {
    const code = verified.code === 'JWS_MALFORMED' ? 'ANNOTATION_MALFORMED' : 'ANNOTATION_SIGNATURE_INVALID';
    return { failures: [{ code, detail: `the QR's signature: ${verified.code}: ${verified.message}` }] };
  }
  let claims: unknown;
  try {
    claims = parseStrictJson(verified.payload, { maxBytes: MAX_ANNOTATED_COPY_QR_TEXT, maxDepth: 4 });
  } catch (e) {
    return { failures: [{ code: 'ANNOTATION_MALFORMED', detail: `the QR's payload is not JSON (${isElicenseError(e) ? e.code : 'unreadable'})` }] };
  }
  const read = annotationOfClaims(claims);
  const schemaError = read ? annotationSchemaError(read.annotation) : 'the claims are not those of an annotated copy';
  if (!read || schemaError) return { failures: [{ code: 'ANNOTATION_MALFORMED', detail: `the QR's claims: ${schemaError ?? ''}` }] };
  const { annotation } = read;
  if (signer?.ok) {
    const rootRegion = trust.regionOfRoot?.(signer.rootFingerprint);
    if (rootRegion !== undefined && rootRegion !== annotation.region) {
      failures.push({ code: 'ANNOTATION_SIGNER_UNTRUSTED', detail: `the copy names region ${annotation.region} but is signed under the root of region ${rootRegion}` });
    }
  }
  failures.push(...checkAnnotationTime(annotation, trust.at));
  return {
    failures,
    annotation,
    ...(signer?.ok ? { signerRootFingerprint: signer.rootFingerprint, signer: signerSummary(signer.leaf) } : {}),
    ...(signer?.ok && signer.demo ? { demo: true as const } : {}),
    ...(read.statusEntry ? { statusEntry: read.statusEntry } : {}),
  };
}

/**
 * Which licence a copy's QR names (identifier, issuer USCC from the
 * identifier, status entry), read without verifying anything, so that a
 * caller can look up its status first. Null when unreadable.
 */
export function licenseKeyOfAnnotatedCopyQr(text: string): { identifier: string; issuerCode: string; statusEntry?: QrStatusEntry } | null {
  const t = text.trim();
  if (!t.startsWith(ANNOTATED_COPY_QR_PREFIX) || t.length > MAX_ANNOTATED_COPY_QR_TEXT) return null;
  const parts = t.slice(ANNOTATED_COPY_QR_PREFIX.length).split('.');
  if (parts.length !== 3) return null;
  try {
    const read = annotationOfClaims(parseStrictJson(Buffer.from(parts[1]!, 'base64url'), { maxBytes: MAX_ANNOTATED_COPY_QR_TEXT, maxDepth: 4 }));
    const identifier = read?.annotation.original.identifier;
    const issuerCode = typeof identifier === 'string' ? identifier.split('.')[6] : undefined;
    if (!read || typeof identifier !== 'string' || !issuerCode) return null;
    return { identifier, issuerCode, ...(read.statusEntry ? { statusEntry: read.statusEntry } : {}) };
  } catch {
    return null;
  }
}
