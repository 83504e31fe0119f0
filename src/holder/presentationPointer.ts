import { decodeBase64Strict } from '../crypto/jws/decodeBase64urlStrict';
import { signCompactJws } from '../crypto/jws/signCompactJws';
import { verifyCompactJws } from '../crypto/jws/verifyCompactJws';
import type { Signer } from '../crypto/Signer';
import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import { ElicenseError } from '../errors';
import { PRESENTATION_QR_PREFIX } from '../forms/detectForm';
import { canonicalJson } from '../json/canonicalJson';
import { parseStrictJson } from '../json/parseStrictJson';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import { OID } from '../pki/oids';
import { validatePath } from '../pki/path/validatePath';

/** The text a presentation QR carries: this prefix, then the compact JWS. */
export const PRESENTATION_PREFIX = PRESENTATION_QR_PREFIX;
export const PRESENTATION_TYP = 'elicense-presentation+jws';
/** Longest a pointer may live (the holder asks for less; default 300 s). */
export const MAX_PRESENTATION_SECONDS = 3600;
const MAX_TEXT = 16 * 1024;
const MAX_CHAIN = 5;
const REGION = /^\d{6}$/;
const PID = /^[A-Za-z0-9_-]{22}$/;

/** What a pointer says: which region's node holds the presentation and its id, not the licence. */
export interface PresentationPointer {
  v: 1;
  region: string;
  pid: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

/**
 * Signs a pointer with the region's trust-list signing key (docs/adr/0012, "Presentation"): protected
 * header { alg, kid, typ, x5c: signer and intermediates, no root }, the payload as canonical JSON.
 */
export async function signPresentationPointer(signer: Signer, pointer: PresentationPointer): Promise<string> {
  const x5c = signer.certificateChain.map((der) => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'));
  return PRESENTATION_PREFIX + (await signCompactJws(signer, Buffer.from(canonicalJson(pointer), 'utf8'), { typ: PRESENTATION_TYP, x5c }));
}

const refuse = (message: string) => new ElicenseError('PRESENTATION_INVALID', `not a presentation of this region: ${message}`);

/**
 * Reads a pointer and checks its signature under a region's pinned root (the trust-list-signing EKU, a valid
 * path at `at`) and its shape. Its expiry is the caller's to judge (PRESENTATION_EXPIRED, not invalid).
 * Throws PRESENTATION_INVALID.
 */
export function readPresentationPointer(text: unknown, opts: { root: Uint8Array | ParsedCertificate; at: Date }): { pointer: PresentationPointer; signer: ParsedCertificate } {
  if (typeof text !== 'string' || text.length > MAX_TEXT) throw refuse('expected the text of a presentation QR');
  const trimmed = text.trim();
  if (!trimmed.startsWith(PRESENTATION_PREFIX)) throw refuse(`it does not start with ${PRESENTATION_PREFIX}`);
  const root = opts.root instanceof Uint8Array ? parseCertificate(opts.root) : opts.root;
  let signerProblem: string | undefined;
  let signer: ParsedCertificate | undefined;
  const verified = verifyCompactJws(trimmed.slice(PRESENTATION_PREFIX.length), (header) => {
    const checked = checkSigner(header, root, opts.at);
    if (typeof checked === 'string') {
      signerProblem = checked;
      return undefined;
    }
    signer = checked;
    return checked.publicKey ?? undefined;
  });
  if (signerProblem !== undefined) throw refuse(signerProblem);
  if (!verified.ok || !signer) throw refuse(verified.ok ? 'no signer' : verified.message);
  let payload: unknown;
  try {
    payload = parseStrictJson(verified.payload, { maxBytes: 4096, maxDepth: 4 });
  } catch {
    throw refuse('the payload is not JSON');
  }
  const p = payload as Record<string, unknown>;
  const keys = Object.keys(p ?? {}).sort().join(',');
  if (
    typeof payload !== 'object' ||
    payload === null ||
    keys !== 'exp,iat,pid,region,v' ||
    p['v'] !== 1 ||
    typeof p['region'] !== 'string' ||
    !REGION.test(p['region']) ||
    typeof p['pid'] !== 'string' ||
    !PID.test(p['pid']) ||
    !Number.isSafeInteger(p['iat']) ||
    !Number.isSafeInteger(p['exp']) ||
    (p['exp'] as number) <= (p['iat'] as number) ||
    (p['exp'] as number) - (p['iat'] as number) > MAX_PRESENTATION_SECONDS
  ) {
    throw refuse('the payload is not {v: 1, region, pid, iat, exp}');
  }
  return { pointer: payload as PresentationPointer, signer };
}

function checkSigner(header: Readonly<Record<string, unknown>>, root: ParsedCertificate, at: Date): ParsedCertificate | string {
  if (header['typ'] !== PRESENTATION_TYP) return `typ must be ${PRESENTATION_TYP}`;
  const x5c = header['x5c'];
  if (!Array.isArray(x5c) || x5c.length < 1 || x5c.length > MAX_CHAIN || !x5c.every((c) => typeof c === 'string')) return 'x5c must hold the signer certificate and its intermediates';
  let certs: ParsedCertificate[];
  try {
    certs = x5c.map((c: string) => {
      const der = decodeBase64Strict(c);
      if (!der) throw new Error('not base64');
      return parseCertificate(new Uint8Array(der));
    });
  } catch {
    return 'x5c holds an unreadable certificate';
  }
  const leaf = certs[0]!;
  const path = validatePath({ leaf, intermediates: certs.slice(1), anchors: [root], time: at, eku: OID.ekuTrustListSigning, leafKeyUsage: ['digitalSignature'] });
  if (!path.ok) return `the signer is not the region's trust-list signer (${path.code})`;
  if (header['kid'] !== undefined && header['kid'] !== keyIdForCertificate(leaf.der)) return 'kid does not name the signer certificate';
  if (!leaf.publicKey) return 'the signer certificate has no usable key';
  return leaf;
}
