import type { JwsAlgorithm } from '../algorithms';
import { decodeBase64urlStrict } from './decodeBase64urlStrict';
import { decodeProtectedHeader, type JwsHeaderOptions } from './decodeProtectedHeader';
import { jwsFailure, type JwsFailure } from './JwsFailure';
import { isPlausibleSignatureLength } from './isPlausibleSignatureLength';

/** A detached JWS whose structure and header passed; the signature is not yet checked. */
export interface DecodedJws {
  ok: true;
  /** The protected header exactly as sent: part of the signing input and a cache key. */
  protectedB64: string;
  header: Record<string, unknown>;
  algorithm: JwsAlgorithm;
  signature: Uint8Array;
}

export type DecodeJwsResult = DecodedJws | JwsFailure<'JWS_MALFORMED' | 'ALGORITHM_NOT_ALLOWED'>;

/** Bound on the whole text before we look at it (a header with a long chain is a few KB). */
const MAX_JWS_LENGTH = 128 * 1024;

/**
 * Decodes a detached compact JWS, `BASE64URL(header)..BASE64URL(signature)`
 * (RFC 7515 appendix F), strictly: exactly three parts with an empty middle,
 * canonical base64url, a protected header that passes decodeProtectedHeader,
 * and a signature of a length the algorithm can produce.
 */
export function decodeDetachedJws(jws: string, options?: JwsHeaderOptions): DecodeJwsResult {
  if (typeof jws !== 'string') return jwsFailure('JWS_MALFORMED', 'the JWS is not a string');
  if (jws.length > MAX_JWS_LENGTH) return jwsFailure('JWS_MALFORMED', 'the JWS is too long');
  const firstDot = jws.indexOf('.');
  if (firstDot < 0 || jws.charCodeAt(firstDot + 1) !== 0x2e /* . */ || jws.indexOf('.', firstDot + 2) >= 0) {
    return jwsFailure('JWS_MALFORMED', 'a detached JWS has the form header..signature');
  }
  const protectedB64 = jws.slice(0, firstDot);
  const head = decodeProtectedHeader(protectedB64, options);
  if (!head.ok) return head;
  const signature = decodeBase64urlStrict(jws.slice(firstDot + 2));
  if (signature === undefined) return jwsFailure('JWS_MALFORMED', 'the signature is not base64url');
  if (!isPlausibleSignatureLength(head.algorithm, signature.byteLength)) {
    return jwsFailure('JWS_MALFORMED', `a ${head.algorithm} signature cannot be ${signature.byteLength} bytes`);
  }
  return { ok: true, protectedB64, header: head.header, algorithm: head.algorithm, signature };
}
