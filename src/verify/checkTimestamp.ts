import { MAX_CLOCK_SKEW_MS } from '../format/timestamp';
import { verifyCompactJws } from '../crypto/jws';
import { parseStrictJson } from '../json/parseStrictJson';
import { OID } from '../pki/oids';
import type { ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import type { TrustInputs } from '../trust/TrustInputs';
import { signatureDigest, type TimestampPayload } from '../format/timestamp';
import { TIMESTAMP_JWS_TYPE } from '../format/FullForm';
import type { PathCache } from './PathCache';
import type { ResultBuilder } from './ResultBuilder';
import type { FoundSigner } from './checkSignature';

/** How far a department's own sigT may be from the region timestamp. */
export const MAX_SIGT_TIMESTAMP_GAP_MS = 5 * 60 * 1000;

/** rootFingerprint: SHA-256 of the root the authority's certificate chains to (its region). */
export type TimestampOutcome = TimestampOk | { ok: false; detail: string };
export type TimestampOk = { ok: true; time: Date; authority: ParsedCertificate; rootFingerprint: string };

/**
 * Checks a region timestamp (docs/adr/0001): signed by a time-stamping
 * authority listed in the trust data whose certificate, with the time-stamping
 * EKU, chains to a pinned root now; over this signature value and this
 * licence; not in the future; and close to the signer's sigT.
 */
export function checkTimestamp(
  timestamp: string,
  ctx: {
    signature: Uint8Array;
    identifier: unknown;
    signerTime: Date;
    trust: TrustInputs;
    at: Date;
    paths: PathCache;
    /**
     * SHA-256 of the root of the issuing department's region, when the trust
     * data knows it: only that region's time-stamping authority may vouch for
     * when its licences were signed (another region's TSA is no witness).
     */
    issuerRegionRoot?: string | undefined;
    /** The issuing region's code, when known: the authority is looked up among that region's only. */
    issuerRegion?: string | undefined;
  },
): TimestampOutcome {
  let authority: ParsedCertificate | undefined;
  const verified = verifyCompactJws(timestamp, (header) => {
    if (header['typ'] !== TIMESTAMP_JWS_TYPE || typeof header['kid'] !== 'string') return undefined;
    authority = ctx.trust.lookupTimestampAuthority(header['kid'], ctx.issuerRegion);
    return authority?.publicKey ?? undefined;
  });
  if (!verified.ok) {
    const why = verified.code === 'KEY_UNKNOWN' ? 'not made by a time-stamping authority listed in the trust data' : verified.message;
    return { ok: false, detail: `timestamp signature: ${why}` };
  }
  // Listed is not enough: the authority must still chain to a pinned root with the time-stamping EKU.
  const path = ctx.paths.validate({
    leaf: authority!,
    intermediates: [],
    anchors: ctx.trust.anchors,
    time: ctx.at,
    eku: OID.ekuTimeStamping,
    leafKeyUsage: ['digitalSignature'],
  });
  if (!path.ok) return { ok: false, detail: `timestamp authority certificate: ${path.code}: ${path.message}` };
  if (ctx.issuerRegionRoot !== undefined && path.chain[path.chain.length - 1]!.fingerprint !== ctx.issuerRegionRoot) {
    return { ok: false, detail: "timestamp made by another region's time-stamping authority than the issuer's" };
  }

  let payload: TimestampPayload;
  try {
    payload = parseStrictJson(verified.payload, { maxBytes: 1024, maxDepth: 2 }) as TimestampPayload;
  } catch {
    return { ok: false, detail: 'timestamp payload is not JSON' };
  }
  if (payload === null || typeof payload !== 'object' || payload.v !== 1) return { ok: false, detail: 'timestamp payload version unsupported' };
  if (payload.sigDigest !== signatureDigest(ctx.signature)) return { ok: false, detail: 'timestamp is for another signature' };
  if (payload.id !== ctx.identifier) return { ok: false, detail: 'timestamp is for another licence' };
  const time = typeof payload.time === 'string' ? new Date(payload.time) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) return { ok: false, detail: 'timestamp time unreadable' };
  if (time.getTime() > ctx.at.getTime() + MAX_CLOCK_SKEW_MS) return { ok: false, detail: 'timestamp is in the future' };
  if (Math.abs(time.getTime() - ctx.signerTime.getTime()) > MAX_SIGT_TIMESTAMP_GAP_MS) {
    return { ok: false, detail: 'signer sigT and region timestamp disagree by more than five minutes' };
  }
  return { ok: true, time, authority: authority!, rootFingerprint: path.chain[path.chain.length - 1]!.fingerprint };
}

/**
 * The full form's region timestamp, part of the signature check: when present
 * it is always checked against the signature it claims to cover, valid
 * certificate or not, and must come from the time-stamping authority of the
 * issuer's region (`issuerRoot`: the root the signer's chain ends at, when it
 * is valid now). Null when absent, or invalid (then recorded as
 * TIMESTAMP_INVALID).
 */
export function checkRegionTimestamp(
  timestamp: unknown,
  signer: FoundSigner,
  record: Record<string, unknown>,
  trust: TrustInputs,
  at: Date,
  paths: PathCache,
  issuerRoot: string | undefined,
  rb: ResultBuilder,
): TimestampOk | null {
  if (typeof timestamp !== 'string') return null;
  const ts = checkTimestamp(timestamp, {
    signature: signer.decoded.signature,
    identifier: record['certificateIdentifier'],
    signerTime: signer.signingTime,
    trust,
    at,
    paths,
    issuerRegionRoot: issuerRoot,
    issuerRegion: issuerRoot ? trust.regionOfRoot?.(issuerRoot) : undefined,
  });
  if (ts.ok) return ts;
  rb.fail('signature', 'TIMESTAMP_INVALID', ts.detail);
  return null;
}
