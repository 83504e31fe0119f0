import { verifyCompactJws } from '../crypto/jws';
import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import { parseStrictJson } from '../json/parseStrictJson';
import { OID } from '../pki/oids';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import { signatureDigest, type TimestampPayload } from '../license/timestamp';
import { TIMESTAMP_JWS_TYPE } from '../license/FullForm';
import type { PathCache } from './PathCache';
import { MAX_X5C_ENTRIES } from './SignerCache';

/** How far a department's own sigT may be from the region timestamp. */
export const MAX_SIGT_TIMESTAMP_GAP_MS = 5 * 60 * 1000;
/** Clock skew tolerated between nodes. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export type TimestampOutcome = { ok: true; time: Date; authority: ParsedCertificate } | { ok: false; detail: string };

/**
 * Checks a region timestamp (docs/adr/0001): signed by a certificate with the
 * time-stamping EKU that chains to a pinned root now, over this signature
 * value and this licence, not in the future, and close to the signer's sigT.
 */
export function checkTimestamp(
  timestamp: string,
  ctx: {
    signature: Uint8Array;
    identifier: unknown;
    signerTime: Date;
    anchors: readonly ParsedCertificate[];
    at: Date;
    paths: PathCache;
  },
): TimestampOutcome {
  let chain: ParsedCertificate[] = [];
  const verified = verifyCompactJws(timestamp, (header) => {
    const x5c = header['x5c'];
    if (header['typ'] !== TIMESTAMP_JWS_TYPE || !Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_X5C_ENTRIES) return undefined;
    try {
      chain = x5c.map((b64) => parseCertificate(Buffer.from(String(b64), 'base64')));
    } catch {
      return undefined;
    }
    if (header['kid'] !== keyIdForCertificate(chain[0]!.der)) return undefined;
    return chain[0]!.publicKey ?? undefined;
  });
  if (!verified.ok) return { ok: false, detail: `timestamp signature: ${verified.message}` };
  const authority = chain[0]!;

  const path = ctx.paths.validate({
    leaf: authority,
    intermediates: chain.slice(1),
    anchors: ctx.anchors,
    time: ctx.at,
    eku: OID.ekuTimeStamping,
    leafKeyUsage: ['digitalSignature'],
  });
  if (!path.ok) return { ok: false, detail: `timestamp authority certificate: ${path.code}: ${path.message}` };

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
  return { ok: true, time, authority };
}
