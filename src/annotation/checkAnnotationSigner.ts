import type { KeyObject } from 'node:crypto';
import { decodeBase64Strict } from '../crypto/jws/decodeBase64urlStrict';
import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import { OID } from '../pki/oids';
import type { PathValidationResult } from '../pki/path/PathErrorCode';
import { validatePath, type ParsedPathRequest } from '../pki/path/validatePath';

/** Certificates in a copy's x5c: the trust-list signer and its intermediates (the root is pinned, not carried). */
const MAX_CHAIN = 5;

/** What a copy is judged against: the pinned roots, which region each belongs to, and the verification time. */
export interface AnnotationTrust {
  anchors: readonly ParsedCertificate[];
  /** The region of a pinned root by its SHA-256, when the trust data ties roots to regions. */
  regionOfRoot?(fingerprint: string): string | undefined;
  at: Date;
  /** The caller's memo of path validation (the verifier's PathCache); validatePath itself by default. */
  validate?(input: SignerPathRequest): PathValidationResult;
}

/** A path validation request with parsed certificates (what the verifier's PathCache takes). */
export type SignerPathRequest = ParsedPathRequest;

export type SignerOutcome =
  | { ok: true; key: KeyObject; leaf: ParsedCertificate; rootFingerprint: string; demo: boolean }
  | { ok: false; code: 'ANNOTATION_SIGNATURE_INVALID' | 'ANNOTATION_SIGNER_UNTRUSTED'; detail: string };

/**
 * The header's claims about the signer, judged before its key is used: the
 * expected typ, x5c of readable certificates naming the kid, and a path from
 * the signer to a pinned root at the verification time with the
 * trust-list-signing EKU (the same validator and EKU peers' trust lists are
 * checked with), ending at the root of the region the copy names when the
 * trust data ties roots to regions.
 */
export function checkAnnotationSigner(header: Readonly<Record<string, unknown>>, typ: string, region: string | undefined, trust: AnnotationTrust): SignerOutcome {
  if (header['typ'] !== typ) return { ok: false, code: 'ANNOTATION_SIGNATURE_INVALID', detail: `expected typ ${typ}, got ${String(header['typ'])}` };
  const x5c = header['x5c'];
  if (!Array.isArray(x5c) || x5c.length < 1 || x5c.length > MAX_CHAIN || !x5c.every((c) => typeof c === 'string')) {
    return { ok: false, code: 'ANNOTATION_SIGNATURE_INVALID', detail: `x5c must hold the signer certificate and its intermediates (1 to ${MAX_CHAIN})` };
  }
  let certs: ParsedCertificate[];
  try {
    certs = x5c.map((c: string) => {
      const der = decodeBase64Strict(c);
      if (!der) throw new Error('an x5c entry is not base64');
      return parseCertificate(new Uint8Array(der));
    });
  } catch (e) {
    return { ok: false, code: 'ANNOTATION_SIGNATURE_INVALID', detail: `x5c does not hold readable certificates (${e instanceof Error ? e.message : 'unreadable'})` };
  }
  const leaf = certs[0]!;
  if (header['kid'] !== keyIdForCertificate(leaf.der)) return { ok: false, code: 'ANNOTATION_SIGNATURE_INVALID', detail: 'kid does not name the x5c signer certificate' };
  const input: SignerPathRequest = {
    leaf,
    intermediates: certs.slice(1),
    anchors: trust.anchors,
    time: trust.at,
    eku: OID.ekuTrustListSigning,
    leafKeyUsage: ['digitalSignature'],
  };
  const path = trust.validate ? trust.validate(input) : validatePath(input);
  if (!path.ok) return { ok: false, code: 'ANNOTATION_SIGNER_UNTRUSTED', detail: `the copy's signer has no path to a pinned root as a region trust-list signer (${path.code}: ${path.message})` };
  const rootFingerprint = path.chain[path.chain.length - 1]!.fingerprint;
  const rootRegion = trust.regionOfRoot?.(rootFingerprint);
  if (region !== undefined && rootRegion !== undefined && rootRegion !== region) {
    return { ok: false, code: 'ANNOTATION_SIGNER_UNTRUSTED', detail: `the copy names region ${region} but is signed under the root of region ${rootRegion}` };
  }
  if (!leaf.publicKey) return { ok: false, code: 'ANNOTATION_SIGNATURE_INVALID', detail: 'the signer certificate holds no usable public key' };
  return { ok: true, key: leaf.publicKey, leaf, rootFingerprint, demo: path.chain.some((c) => c.ext.certificatePolicies?.policies.includes(OID.policyDemoRegion) === true) };
}
