import { isElicenseError } from '../../errors';
import { parseStrictJson } from '../../json/parseStrictJson';
import { isAllowedAlgorithm, type JwsAlgorithm } from '../algorithms';
import { decodeBase64urlStrict } from './decodeBase64urlStrict';
import { jwsFailure, type JwsFailure } from './JwsFailure';

export interface JwsHeaderOptions {
  /**
   * Extension header names this caller processes itself and therefore allows
   * in `crit` (RFC 7515 4.1.11). Default: none, so any `crit` is refused.
   */
  understoodCritical?: readonly string[];
}

export type ProtectedHeaderResult =
  | { ok: true; header: Record<string, unknown>; algorithm: JwsAlgorithm }
  | JwsFailure<'JWS_MALFORMED' | 'ALGORITHM_NOT_ALLOWED'>;

/** A protected header of a few certificates fits easily; anything larger is not ours. */
const MAX_HEADER_BYTES = 64 * 1024;

/** Header names RFC 7515 defines; they must never appear in crit. */
const REGISTERED = new Set(['alg', 'jku', 'jwk', 'kid', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'typ', 'cty', 'crit']);

/**
 * Decodes and checks a JWS protected header: canonical base64url, UTF-8 JSON
 * object parsed strictly (duplicate names refused, RFC 7515 4), `alg` on the
 * allow-list, `crit` well-formed and understood, and no `b64` (RFC 7797
 * unencoded payloads are not supported).
 */
export function decodeProtectedHeader(protectedB64: string, options?: JwsHeaderOptions): ProtectedHeaderResult {
  if (protectedB64.length === 0) return jwsFailure('JWS_MALFORMED', 'the protected header is empty');
  if (protectedB64.length > (MAX_HEADER_BYTES * 4) / 3 + 4) return jwsFailure('JWS_MALFORMED', 'the protected header is too large');
  const bytes = decodeBase64urlStrict(protectedB64);
  if (bytes === undefined) return jwsFailure('JWS_MALFORMED', 'the protected header is not base64url');
  let header: unknown;
  try {
    header = parseStrictJson(bytes, { maxBytes: MAX_HEADER_BYTES, maxDepth: 8 });
  } catch (e) {
    return jwsFailure('JWS_MALFORMED', `the protected header is not valid JSON (${isElicenseError(e) ? e.code : 'unreadable'})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return jwsFailure('JWS_MALFORMED', 'the protected header is not a JSON object');
  }
  const h = header as Record<string, unknown>;
  const alg = h['alg'];
  if (alg === undefined) return jwsFailure('JWS_MALFORMED', 'the protected header has no alg');
  if (!isAllowedAlgorithm(alg)) {
    return jwsFailure('ALGORITHM_NOT_ALLOWED', `alg ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 20)) : typeof alg} is not allowed`);
  }
  if ('b64' in h) return jwsFailure('JWS_MALFORMED', 'the b64 header (unencoded payload) is not supported');
  if ('crit' in h) {
    const problem = critProblem(h, options?.understoodCritical ?? []);
    if (problem !== undefined) return jwsFailure('JWS_MALFORMED', problem);
  }
  return { ok: true, header: h, algorithm: alg };
}

function critProblem(h: Record<string, unknown>, understood: readonly string[]): string | undefined {
  const crit = h['crit'];
  if (!Array.isArray(crit) || crit.length === 0) return 'crit must be a non-empty array';
  const seen = new Set<string>();
  for (const name of crit) {
    if (typeof name !== 'string') return 'crit entries must be strings';
    if (seen.has(name)) return 'crit lists a name twice';
    seen.add(name);
    if (REGISTERED.has(name)) return `crit must not list the registered header ${name}`;
    if (!understood.includes(name)) return `critical header ${name} is not supported`;
    if (!(name in h)) return `critical header ${name} is missing`;
  }
  return undefined;
}
