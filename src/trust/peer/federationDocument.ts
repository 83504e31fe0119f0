import { readFileSync } from 'node:fs';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { KeyObject } from 'node:crypto';
import { decodeBase64Strict } from '../../crypto/jws/decodeBase64urlStrict';
import type { JwsFailureCode } from '../../crypto/jws/JwsFailure';
import { signCompactJws } from '../../crypto/jws/signCompactJws';
import { verifyCompactJws } from '../../crypto/jws/verifyCompactJws';
import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import { isElicenseError } from '../../errors';
import { canonicalJson } from '../../json/canonicalJson';
import { parseStrictJson } from '../../json/parseStrictJson';
import { parseCertificate, type ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import { OID } from '../../pki/oids';
import { validatePath } from '../../pki/path/validatePath';
import { standardsDir } from '../../standards/standardsDir';
import { MAX_CLOCK_SKEW_MS } from '../../format/timestamp';
import type { FederationKind, RecognitionAgreement, StatusListDocument, TrustListDocument } from '../../format/federation/documentTypes';

/** The signed documents regions publish to each other (docs/product.md section 4). */
export type { FederationKind } from '../../format/federation/documentTypes';

interface KindSpec {
  typ: string;
  format: string;
  schemaFile: string;
}
const KINDS: Record<FederationKind, KindSpec> = {
  'trust-list': { typ: 'elicense-trust-list+jws', format: 'elicense/trust-list@1', schemaFile: 'trust-list-1.0.0.schema.json' },
  'status-list': { typ: 'elicense-status-list+jws', format: 'elicense/status-list@1', schemaFile: 'status-list-1.0.0.schema.json' },
  'recognition-agreement': {
    typ: 'elicense-recognition-agreement+jws',
    format: 'elicense/recognition-agreement@1',
    schemaFile: 'recognition-agreement-1.0.0.schema.json',
  },
};

export interface PayloadOf {
  'trust-list': TrustListDocument;
  'status-list': StatusListDocument;
  'recognition-agreement': RecognitionAgreement;
}

/**
 * Largest document accepted: a trust list costs about 3.3 KB per department
 * (certificate and chain, base64 inside base64url), so this holds some 10,000
 * departments, or half that while every key is being rotated.
 */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;
const MAX_CHAIN = 6;

/** Why a peer's document was refused: stable codes, shown to operators and in sync results. */
export type DocumentRefusal =
  | 'DOCUMENT_TOO_LARGE'
  | 'DOCUMENT_MALFORMED'
  | 'DOCUMENT_WRONG_KIND'
  | 'DOCUMENT_ROOT_MISMATCH'
  | 'DOCUMENT_CHAIN_INVALID'
  | 'DOCUMENT_SIGNATURE_INVALID'
  | 'DOCUMENT_SCHEMA_INVALID'
  | 'DOCUMENT_FROM_FUTURE'
  | 'DOCUMENT_REGION_MISMATCH'
  | 'DOCUMENT_SEQUENCE_REPLAYED'
  /** A trust list claiming the verifying node's own region. */
  | 'DOCUMENT_REGION_OWN'
  /** Trust lists of different regions under one root, and no region configured or pinned to choose. */
  | 'DOCUMENT_REGION_NOT_PINNED'
  /** A trust list naming a department (USCC, division code, certificate) outside its region. */
  | 'DOCUMENT_DEPARTMENT_OUTSIDE_REGION'
  /** A key id in a trust list that is not the one of its certificate. */
  | 'DOCUMENT_KEY_ID_MISMATCH'
  /** A trust list past its nextUpdate plus the grace (TRUST_LIST_GRACE_SECONDS). */
  | 'DOCUMENT_EXPIRED';

export type ReadDocumentResult<K extends FederationKind> =
  | { ok: true; kind: K; payload: PayloadOf[K]; root: ParsedCertificate; signer: ParsedCertificate; issuedAt: Date }
  | { ok: false; code: DocumentRefusal; message: string };

let validators: Record<FederationKind, ValidateFunction> | undefined;
function validatorOf(kind: FederationKind): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv2020({ strict: true, allErrors: false });
    addFormats(ajv);
    const compile = (k: FederationKind) => ajv.compile(JSON.parse(readFileSync(`${standardsDir()}/federation/${KINDS[k].schemaFile}`, 'utf8')) as object);
    validators = { 'trust-list': compile('trust-list'), 'status-list': compile('status-list'), 'recognition-agreement': compile('recognition-agreement') };
  }
  return validators[kind];
}

/** The signer signCompactJws takes (the region's trust-list signer). */
type FederationSigner = Parameters<typeof signCompactJws>[0];

/**
 * Signs a federation document as a compact JWS (crypto/jws): canonical JSON
 * payload (RFC 8785), protected header with alg, kid, typ and x5c = the
 * signer's chain followed by the region root, so that a peer holding only the
 * root's pinned SHA-256 can check it.
 */
export async function signFederationDocument<K extends FederationKind>(kind: K, payload: PayloadOf[K], signer: FederationSigner, root: Uint8Array): Promise<string> {
  const x5c = [...signer.certificateChain, root].map((der) => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'));
  return signCompactJws(signer, Buffer.from(canonicalJson(payload), 'utf8'), { typ: KINDS[kind].typ, x5c });
}

const refuse = <K extends FederationKind>(code: DocumentRefusal, message: string): ReadDocumentResult<K> => ({ ok: false, code, message });

/** crypto/jws failures as document refusals (the codes operators already know). */
const JWS_REFUSAL: Record<JwsFailureCode, DocumentRefusal> = {
  JWS_MALFORMED: 'DOCUMENT_MALFORMED',
  ALGORITHM_NOT_ALLOWED: 'DOCUMENT_MALFORMED',
  KEY_UNKNOWN: 'DOCUMENT_SIGNATURE_INVALID',
  ALGORITHM_KEY_MISMATCH: 'DOCUMENT_SIGNATURE_INVALID',
  SIGNATURE_INVALID: 'DOCUMENT_SIGNATURE_INVALID',
};

type SignerCheck = { ok: true; root: ParsedCertificate; leaf: ParsedCertificate; key: KeyObject } | { ok: false; code: DocumentRefusal; message: string };

/**
 * The header's claims about the signer, judged before its key is used: the
 * expected typ, an x5c ending with the pinned root, a valid path from the
 * signer to that root now (CA flags, validity, the trust-list-signing EKU),
 * and a kid naming the signer certificate.
 */
function checkSigner(header: Readonly<Record<string, unknown>>, spec: KindSpec, pinnedRootSha256: string, at: Date): SignerCheck {
  if (header['typ'] !== spec.typ) return { ok: false, code: 'DOCUMENT_WRONG_KIND', message: `expected typ ${spec.typ}, got ${String(header['typ'])}` };
  const x5c = header['x5c'];
  if (!Array.isArray(x5c) || x5c.length < 2 || x5c.length > MAX_CHAIN || !x5c.every((c) => typeof c === 'string')) {
    return { ok: false, code: 'DOCUMENT_MALFORMED', message: 'x5c must hold the signer certificate, its intermediates and the region root' };
  }
  let certs: ParsedCertificate[];
  try {
    certs = x5c.map((c: string) => {
      const der = decodeBase64Strict(c);
      if (!der) throw new Error('x5c entry is not base64');
      return parseCertificate(new Uint8Array(der));
    });
  } catch (e) {
    return { ok: false, code: 'DOCUMENT_CHAIN_INVALID', message: `x5c does not hold readable certificates (${e instanceof Error ? e.message : 'unreadable'})` };
  }
  const root = certs[certs.length - 1]!;
  const leaf = certs[0]!;
  if (root.fingerprint !== pinnedRootSha256.toLowerCase()) {
    return { ok: false, code: 'DOCUMENT_ROOT_MISMATCH', message: 'the document is not signed under the pinned root of this peer' };
  }
  const path = validatePath({ leaf, intermediates: certs.slice(1, -1), anchors: [root], time: at, eku: OID.ekuTrustListSigning, leafKeyUsage: ['digitalSignature'] });
  if (!path.ok) return { ok: false, code: 'DOCUMENT_CHAIN_INVALID', message: `${path.code}: ${path.message}` };
  if (header['kid'] !== keyIdForCertificate(leaf.der)) return { ok: false, code: 'DOCUMENT_MALFORMED', message: 'kid does not name the x5c signer certificate' };
  if (!leaf.publicKey) return { ok: false, code: 'DOCUMENT_SIGNATURE_INVALID', message: 'the signer certificate holds no usable public key' };
  return { ok: true, root, leaf, key: leaf.publicKey };
}

/**
 * The signature read of a peer's document (steps 1 of peerDocumentGate): a
 * compact JWS verified by crypto/jws with the key of the x5c signer, taken
 * only once checkSigner accepted the header; then the payload must be strict
 * JSON matching its published schema, not issued in the future (beyond the
 * allowed clock skew), and a trust list's rootCertificate must be the root in
 * x5c. Regions, placement and sequence numbers are the gate's.
 */
export function readFederationDocument<K extends FederationKind>(
  jws: string,
  opts: { kind: K; pinnedRootSha256: string; at: Date; maxBytes?: number },
): ReadDocumentResult<K> {
  const spec = KINDS[opts.kind];
  const max = opts.maxBytes ?? MAX_DOCUMENT_BYTES;
  if (typeof jws !== 'string') return refuse('DOCUMENT_MALFORMED', 'the document is not text');
  const maxLength = ((max * 4) / 3) + 256 * 1024;
  if (jws.length > maxLength) return refuse('DOCUMENT_TOO_LARGE', `the document is larger than ${max} bytes`);
  let signer: SignerCheck | undefined;
  const verified = verifyCompactJws(
    jws.trim(),
    (header) => {
      signer = checkSigner(header, spec, opts.pinnedRootSha256, opts.at);
      return signer.ok ? signer.key : undefined;
    },
    { maxLength },
  );
  if (signer && !signer.ok) return signer;
  if (!verified.ok) return refuse(JWS_REFUSAL[verified.code], verified.message);
  if (!signer?.ok) return refuse('DOCUMENT_SIGNATURE_INVALID', 'no signer was checked');
  if (verified.payload.byteLength > max) return refuse('DOCUMENT_TOO_LARGE', `the payload is larger than ${max} bytes`);
  let payload: unknown;
  try {
    payload = parseStrictJson(verified.payload, { maxBytes: max, maxDepth: 12 });
  } catch (e) {
    return refuse('DOCUMENT_MALFORMED', `the payload is not valid JSON (${isElicenseError(e) ? e.code : 'unreadable'})`);
  }
  const validate = validatorOf(opts.kind);
  if (!validate(payload)) {
    const first = validate.errors?.[0];
    return refuse('DOCUMENT_SCHEMA_INVALID', `${first?.instancePath || '/'} ${first?.message ?? 'does not match the schema'}`);
  }
  const issuedAt = new Date((payload as { issuedAt: string }).issuedAt);
  if (issuedAt.getTime() > opts.at.getTime() + MAX_CLOCK_SKEW_MS) {
    return refuse('DOCUMENT_FROM_FUTURE', `issued at ${issuedAt.toISOString()}, later than this node's clock allows (${opts.at.toISOString()} + ${MAX_CLOCK_SKEW_MS / 60000} min)`);
  }
  if (opts.kind === 'trust-list') {
    const rootB64 = (payload as TrustListDocument).rootCertificate;
    if (Buffer.compare(Buffer.from(rootB64, 'base64'), Buffer.from(signer.root.der)) !== 0) return refuse('DOCUMENT_MALFORMED', 'rootCertificate differs from the root in x5c');
  }
  return { ok: true, kind: opts.kind, payload: payload as PayloadOf[K], root: signer.root, signer: signer.leaf, issuedAt };
}
