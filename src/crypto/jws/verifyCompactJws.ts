import type { KeyObject } from 'node:crypto';
import { keyMatchesAlgorithm, type JwsAlgorithm } from '../algorithms';
import { verifyBytes } from '../verifyBytes';
import { decodeBase64urlStrict } from './decodeBase64urlStrict';
import { decodeProtectedHeader, type JwsHeaderOptions } from './decodeProtectedHeader';
import { isPlausibleSignatureLength } from './isPlausibleSignatureLength';
import { jwsFailure, type JwsFailure } from './JwsFailure';
import { signingInput } from './signingInput';

export type VerifyCompactResult =
  | { ok: true; header: Record<string, unknown>; algorithm: JwsAlgorithm; payload: Buffer }
  | JwsFailure;

/** Looks up the verification key for a header (by kid, say). Undefined: no such key. */
export type JwsKeyResolver = (header: Readonly<Record<string, unknown>>) => KeyObject | undefined;

const MAX_COMPACT_LENGTH = 256 * 1024;

/** maxLength: the caller's bound on the whole text (default 256 KiB), for documents larger than a licence form. */
export type VerifyCompactOptions = JwsHeaderOptions & { maxLength?: number };

/**
 * Verifies an ordinary compact JWS, `header.payload.signature`, with the same
 * strictness as the detached form, and returns the payload bytes on success.
 * Order: structure, header and alg policy, base64url of the other parts, key
 * (from the caller's resolver, never from the header), key/alg match, signature.
 */
export function verifyCompactJws(jws: string, resolveKey: JwsKeyResolver, options?: VerifyCompactOptions): VerifyCompactResult {
  if (typeof jws !== 'string') return jwsFailure('JWS_MALFORMED', 'the JWS is not a string');
  if (jws.length > (options?.maxLength ?? MAX_COMPACT_LENGTH)) return jwsFailure('JWS_MALFORMED', 'the JWS is too long');
  const dot1 = jws.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : jws.indexOf('.', dot1 + 1);
  if (dot2 < 0 || jws.indexOf('.', dot2 + 1) >= 0) return jwsFailure('JWS_MALFORMED', 'a compact JWS has exactly three parts');
  const protectedB64 = jws.slice(0, dot1);
  const payloadB64 = jws.slice(dot1 + 1, dot2);
  const head = decodeProtectedHeader(protectedB64, options);
  if (!head.ok) return head;
  const payload = decodeBase64urlStrict(payloadB64);
  if (payload === undefined) return jwsFailure('JWS_MALFORMED', 'the payload is not base64url');
  const signature = decodeBase64urlStrict(jws.slice(dot2 + 1));
  if (signature === undefined) return jwsFailure('JWS_MALFORMED', 'the signature is not base64url');
  if (!isPlausibleSignatureLength(head.algorithm, signature.byteLength)) {
    return jwsFailure('JWS_MALFORMED', `a ${head.algorithm} signature cannot be ${signature.byteLength} bytes`);
  }
  const key = resolveKey(head.header);
  if (key === undefined) return jwsFailure('KEY_UNKNOWN', 'no verification key for this header');
  if (!keyMatchesAlgorithm(head.algorithm, key)) return jwsFailure('ALGORITHM_KEY_MISMATCH', `the key cannot verify ${head.algorithm}`);
  if (!verifyBytes(head.algorithm, key, signingInput(protectedB64, payloadB64), signature)) {
    return jwsFailure('SIGNATURE_INVALID', 'the signature does not verify');
  }
  return { ok: true, header: head.header, algorithm: head.algorithm, payload };
}
