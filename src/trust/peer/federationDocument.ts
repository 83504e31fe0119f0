import { readFileSync } from 'node:fs';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { keyMatchesAlgorithm } from '../../crypto/algorithms';
import { decodeBase64Strict, decodeBase64urlStrict } from '../../crypto/jws/decodeBase64urlStrict';
import { decodeProtectedHeader } from '../../crypto/jws/decodeProtectedHeader';
import { isPlausibleSignatureLength } from '../../crypto/jws/isPlausibleSignatureLength';
import { signatureFromSigner } from '../../crypto/jws/signatureFromSigner';
import { signingInput } from '../../crypto/jws/signingInput';
import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import type { Signer } from '../../crypto/Signer';
import { verifyBytes } from '../../crypto/verifyBytes';
import { isElicenseError } from '../../errors';
import { canonicalJson } from '../../json/canonicalJson';
import { parseStrictJson } from '../../json/parseStrictJson';
import { parseCertificate, type ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import { OID } from '../../pki/oids';
import { validatePath } from '../../pki/path/validatePath';
import { standardsDir } from '../../standards/standardsDir';
import { MAX_CLOCK_SKEW_MS } from '../../format/timestamp';
import type { RecognitionAgreement, StatusListDocument, TrustListDocument } from '../../format/federation/documentTypes';

/** The signed documents regions publish to each other (product.md section 4). */
import type { FederationKind } from '../../format/federation/documentTypes';
export { FEDERATION_KINDS, type FederationKind } from '../../format/federation/documentTypes';

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

/**
 * Signs a federation document as a compact JWS: canonical JSON payload
 * (RFC 8785), protected header with alg, kid, typ and x5c = the signer's
 * chain followed by the region root, so that a peer holding only the root's
 * pinned SHA-256 can check it.
 */
export async function signFederationDocument<K extends FederationKind>(kind: K, payload: PayloadOf[K], signer: Signer, root: Uint8Array): Promise<string> {
  const x5c = [...signer.certificateChain, root].map((der) => Buffer.from(der).toString('base64'));
  const header = { alg: signer.algorithm, kid: signer.keyId, typ: KINDS[kind].typ, x5c };
  const protectedB64 = Buffer.from(canonicalJson(header), 'utf8').toString('base64url');
  const payloadB64 = Buffer.from(canonicalJson(payload), 'utf8').toString('base64url');
  const signature = await signatureFromSigner(signer, signingInput(protectedB64, payloadB64));
  return `${protectedB64}.${payloadB64}.${signature.toString('base64url')}`;
}

const refuse = <K extends FederationKind>(code: DocumentRefusal, message: string): ReadDocumentResult<K> => ({ ok: false, code, message });

/**
 * Reads a peer's document and accepts it only if it is the expected kind,
 * its x5c ends with the root whose SHA-256 was pinned, the signer's path to
 * that root is valid now (CA flags, validity, the trust-list-signing EKU),
 * the signature verifies, the payload matches its published schema and was
 * not issued in the future (beyond the allowed clock skew). Sequence numbers
 * and regions are checked by the caller, which knows the last accepted copy.
 */
export function readFederationDocument<K extends FederationKind>(
  jws: string,
  opts: { kind: K; pinnedRootSha256: string; at: Date; maxBytes?: number },
): ReadDocumentResult<K> {
  const spec = KINDS[opts.kind];
  const max = opts.maxBytes ?? MAX_DOCUMENT_BYTES;
  if (typeof jws !== 'string') return refuse('DOCUMENT_MALFORMED', 'the document is not text');
  if (jws.length > ((max * 4) / 3) + 256 * 1024) return refuse('DOCUMENT_TOO_LARGE', `the document is larger than ${max} bytes`);
  const text = jws.trim();
  const dot1 = text.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : text.indexOf('.', dot1 + 1);
  if (dot2 < 0 || text.indexOf('.', dot2 + 1) >= 0) return refuse('DOCUMENT_MALFORMED', 'a signed document is a compact JWS with three parts');
  const protectedB64 = text.slice(0, dot1);
  const payloadB64 = text.slice(dot1 + 1, dot2);
  const head = decodeProtectedHeader(protectedB64);
  if (!head.ok) return refuse('DOCUMENT_MALFORMED', head.message);
  if (head.header['typ'] !== spec.typ) return refuse('DOCUMENT_WRONG_KIND', `expected typ ${spec.typ}, got ${String(head.header['typ'])}`);
  const x5c = head.header['x5c'];
  if (!Array.isArray(x5c) || x5c.length < 2 || x5c.length > MAX_CHAIN || !x5c.every((c) => typeof c === 'string')) {
    return refuse('DOCUMENT_MALFORMED', 'x5c must hold the signer certificate, its intermediates and the region root');
  }
  let certs: ParsedCertificate[];
  try {
    certs = x5c.map((c: string) => {
      const der = decodeBase64Strict(c);
      if (!der) throw new Error('x5c entry is not base64');
      return parseCertificate(new Uint8Array(der));
    });
  } catch (e) {
    return refuse('DOCUMENT_CHAIN_INVALID', `x5c does not hold readable certificates (${e instanceof Error ? e.message : 'unreadable'})`);
  }
  const root = certs[certs.length - 1]!;
  const leaf = certs[0]!;
  if (root.fingerprint !== opts.pinnedRootSha256.toLowerCase()) {
    return refuse('DOCUMENT_ROOT_MISMATCH', 'the document is not signed under the pinned root of this peer');
  }
  const path = validatePath({
    leaf,
    intermediates: certs.slice(1, -1),
    anchors: [root],
    time: opts.at,
    eku: OID.ekuTrustListSigning,
    leafKeyUsage: ['digitalSignature'],
  });
  if (!path.ok) return refuse('DOCUMENT_CHAIN_INVALID', `${path.code}: ${path.message}`);
  if (head.header['kid'] !== keyIdForCertificate(leaf.der)) return refuse('DOCUMENT_MALFORMED', 'kid does not name the x5c signer certificate');
  const signature = decodeBase64urlStrict(text.slice(dot2 + 1));
  const payloadBytes = decodeBase64urlStrict(payloadB64);
  if (!signature || !payloadBytes) return refuse('DOCUMENT_MALFORMED', 'payload or signature is not base64url');
  if (payloadBytes.byteLength > max) return refuse('DOCUMENT_TOO_LARGE', `the payload is larger than ${max} bytes`);
  if (!leaf.publicKey || !keyMatchesAlgorithm(head.algorithm, leaf.publicKey) || !isPlausibleSignatureLength(head.algorithm, signature.byteLength)) {
    return refuse('DOCUMENT_SIGNATURE_INVALID', `the signer key cannot make a ${head.algorithm} signature of this length`);
  }
  if (!verifyBytes(head.algorithm, leaf.publicKey, signingInput(protectedB64, payloadB64), signature)) {
    return refuse('DOCUMENT_SIGNATURE_INVALID', 'the signature does not verify');
  }
  let payload: unknown;
  try {
    payload = parseStrictJson(payloadBytes, { maxBytes: max, maxDepth: 12 });
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
    if (Buffer.compare(Buffer.from(rootB64, 'base64'), Buffer.from(root.der)) !== 0) return refuse('DOCUMENT_MALFORMED', 'rootCertificate differs from the root in x5c');
  }
  return { ok: true, kind: opts.kind, payload: payload as PayloadOf[K], root, signer: leaf, issuedAt };
}
