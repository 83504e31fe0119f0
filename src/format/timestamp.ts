import { createHash } from 'node:crypto';
import type { Signer } from '../crypto/Signer';
import { signCompactJws } from '../crypto/jws';
import { TIMESTAMP_JWS_TYPE } from './FullForm';

/** Clock skew tolerated between nodes. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Payload of a region timestamp (docs/adr/0001): the time at which the region
 * time-stamping authority saw the department's signature value.
 */
export interface TimestampPayload {
  v: 1;
  /** base64url SHA-256 of the department JWS signature bytes. */
  sigDigest: string;
  /** ISO 8601 UTC time of stamping. */
  time: string;
  /** Licence identifier, so a stamp is never mistaken for another licence's. */
  id: string;
}

export function signatureDigest(signature: Uint8Array): string {
  return createHash('sha256').update(signature).digest('base64url');
}

export async function createTimestamp(
  tsa: Signer,
  departmentSignature: Uint8Array,
  identifier: string,
  at: Date,
): Promise<string> {
  const payload: TimestampPayload = {
    v: 1,
    sigDigest: signatureDigest(departmentSignature),
    time: at.toISOString(),
    id: identifier,
  };
  // kid only: the TSA certificate is region trust material (listed, retirable), not carried per licence.
  return signCompactJws(tsa, Buffer.from(JSON.stringify(payload), 'utf8'), { typ: TIMESTAMP_JWS_TYPE });
}
