import type { ReasonCode } from '../format/reasonCodes';
import { OID } from '../pki/oids';
import type { ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import type { PathValidationResult } from '../pki/path/PathErrorCode';
import type { TrustInputs } from '../trust/TrustInputs';
import type { PathCache } from './PathCache';
import type { ResultBuilder } from './ResultBuilder';
import type { TimestampOk } from './checkTimestamp';

/**
 * Step 5, chain: the signer certificate, with the licence-signing EKU, chains
 * to a pinned root of the trust data. For a full form at the verification
 * time, or at the region timestamp's time when the certificate has expired
 * since (docs/adr/0001); for a compact QR at the verification time (it carries
 * no region timestamp: ADR 0003).
 */

/** Whether a validated chain belongs to a demo region: some certificate of it, the pinned root included, carries the demo-region policy (docs/adr/0002). */
export function isDemoPath(chain: readonly ParsedCertificate[]): boolean {
  return chain.some((c) => c.ext.certificatePolicies?.policies.includes(OID.policyDemoRegion) === true);
}

/** The signer's path to a pinned root at a time (memoised by the path cache). */
export function signerPathAt(
  leaf: ParsedCertificate,
  intermediates: readonly ParsedCertificate[],
  trust: TrustInputs,
  paths: PathCache,
  time: Date,
): PathValidationResult {
  return paths.validate({
    leaf,
    intermediates,
    anchors: trust.anchors,
    time,
    eku: OID.ekuLicenseSigning,
    leafKeyUsage: ['digitalSignature'],
  });
}

/** SHA-256 of the root a valid path ends at (undefined: no valid path). */
export function pathRoot(path: PathValidationResult): string | undefined {
  return path.ok ? path.chain[path.chain.length - 1]!.fingerprint : undefined;
}

/**
 * The full form's chain check. `current`: the signer's path at the
 * verification time; `stamp`: the region timestamp, when present and valid.
 * An expired certificate is judged at the stamped time instead, when the
 * stamp comes from the time-stamping authority of the region the path then
 * ends at. Records the signing time the path was judged at; returns the path
 * judged.
 */
export function checkFullFormSignerPath(
  signer: { leaf: ParsedCertificate; intermediates: readonly ParsedCertificate[] },
  current: PathValidationResult,
  stamp: TimestampOk | null,
  trust: TrustInputs,
  paths: PathCache,
  at: Date,
  rb: ResultBuilder,
): PathValidationResult {
  let path = current;
  rb.signingTime = { value: at.toISOString(), source: 'verification-time' };
  if (!path.ok && path.code === 'CERT_EXPIRED' && at > signer.leaf.notAfter && stamp) {
    const dated = signerPathAt(signer.leaf, signer.intermediates, trust, paths, stamp.time);
    const datedRoot = dated.ok ? dated.chain[dated.chain.length - 1]!.fingerprint : null;
    if (datedRoot !== null && datedRoot !== stamp.rootFingerprint) {
      rb.fail('signature', 'TIMESTAMP_INVALID', "timestamp made by another region's time-stamping authority than the issuer's");
    } else {
      path = dated;
      rb.signingTime = { value: stamp.time.toISOString(), source: 'timestamp' };
      if (path.ok) rb.warn('CERT_EXPIRED_AFTER_SIGNING');
    }
  }
  recordPath(path, rb);
  return path;
}

/** The compact QR's chain check, at the verification time; returns the path. */
export function checkCompactSignerPath(
  signer: { certificate: ParsedCertificate; intermediates: readonly ParsedCertificate[] },
  trust: TrustInputs,
  paths: PathCache,
  at: Date,
  rb: ResultBuilder,
): PathValidationResult {
  const path = signerPathAt(signer.certificate, signer.intermediates, trust, paths, at);
  recordPath(path, rb);
  return path;
}

function recordPath(path: PathValidationResult, rb: ResultBuilder): void {
  if (path.ok) {
    rb.pass('chain');
    // Signed trust data, not names: a validated chain with the demo-region policy on the root (or any certificate) is a demo licence.
    if (isDemoPath(path.chain)) rb.demo = true;
  } else rb.fail('chain', pathReason(path.code), `${path.code}: ${path.message}`);
}

const PATH_REASONS: Record<string, ReasonCode> = {
  CERT_MALFORMED: 'CERT_MALFORMED',
  CHAIN_UNTRUSTED: 'CHAIN_UNTRUSTED',
  // A link that does not verify means no trustworthy path to a pinned root exists.
  CHAIN_SIGNATURE_INVALID: 'CHAIN_UNTRUSTED',
  CERT_EXPIRED: 'CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'CERT_NOT_YET_VALID',
  CHAIN_TOO_LONG: 'CHAIN_TOO_LONG',
  KEY_USAGE_NOT_ALLOWED: 'CERT_NOT_AUTHORIZED',
  EKU_NOT_ALLOWED: 'CERT_NOT_AUTHORIZED',
  CA_USED_AS_END_ENTITY: 'CERT_NOT_AUTHORIZED',
  PATH_BUILDING_LIMIT: 'CHAIN_TOO_LONG',
};

/** The reason code a path validation failure is reported under. */
export function pathReason(code: string): ReasonCode {
  return PATH_REASONS[code] ?? 'CHAIN_INVALID';
}
