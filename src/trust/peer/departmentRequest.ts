import { createHash } from 'node:crypto';
import type { Signer } from '../../crypto/Signer';
import { signCompactJws } from '../../crypto/jws';
import { ElicenseError } from '../../errors';
import { canonicalJson } from '../../json/canonicalJson';

/*
 * A REQUEST OF A DEPARTMENT OF ANOTHER REGION (docs/adr/0006, "Departments of peer regions")
 *
 * Region B's node calls region A's node on behalf of one of B's departments.
 * No secret is shared: B's node signs the request with the department's
 * licence-signing key (held by B's node), the key B's signed trust list
 * certifies for that department and A already holds, checked under B's root
 * that A pinned by hand. The signature travels in one header:
 *
 *   Elicense-Request-Signature: <compact JWS>
 *   protected: { alg, kid, typ: "elicense-request+jws", x5c: [department certificate, intermediates…] (no root) }
 *   payload:   { method, path, bodyDigest, region, uscc, aud, iat, exp, jti }  (RFC 8785 canonical JSON)
 *
 * `path` is the request target as sent to the peer (path and query, relative
 * to the peer's base URL); `bodyDigest` the base64url SHA-256 of the RFC 8785
 * canonical JSON of the body (of no bytes when there is none), so the digest
 * does not depend on how the body was spaced; `aud` the region code of the
 * node called, so a request made for one region is worth nothing at another;
 * `iat`/`exp` seconds since the epoch, at most 300 s apart; `jti` 128 random
 * bits, taken once by the receiver.
 */

/** The request header that carries the signed request. */
export const REQUEST_SIGNATURE_HEADER = 'Elicense-Request-Signature';
/** The JWS typ of a department request: no other signed document of the system can pass for one. */
export const REQUEST_JWS_TYP = 'elicense-request+jws';
/** The longest a signed request may be valid (exp - iat). */
export const MAX_REQUEST_LIFETIME_SECONDS = 300;
/** What a signed request is given by default: long enough for a slow link, short enough to keep the replay table small. */
export const DEFAULT_REQUEST_LIFETIME_SECONDS = 120;
/** How far the two nodes' clocks may disagree: iat up to this far ahead, exp up to this far behind. */
export const REQUEST_CLOCK_SKEW_SECONDS = 60;

export const REQUEST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type RequestMethod = (typeof REQUEST_METHODS)[number];

/** The signed payload. */
export interface DepartmentRequestClaims {
  method: RequestMethod;
  path: string;
  bodyDigest: string;
  /** The region of the department (the caller's region). */
  region: string;
  uscc: string;
  /** The region of the node called. */
  aud: string;
  iat: number;
  exp: number;
  jti: string;
}

/**
 * The digest a request binds its body with: SHA-256 over the RFC 8785
 * canonical JSON of the body, base64url; no body (undefined) is the digest of no bytes.
 */
export function requestBodyDigest(body: unknown): string {
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(canonicalJson(body), 'utf8');
  return createHash('sha256').update(bytes).digest('base64url');
}

export interface DepartmentRequestToSign {
  method: RequestMethod;
  /** Path and query as sent, starting with '/'. */
  path: string;
  /** The JSON body (undefined: none). */
  body: unknown;
  /** The department's region (this node's) and USCC. */
  region: string;
  uscc: string;
  /** The region of the node the request goes to. */
  audience: string;
  at: Date;
  /** 16 random bytes or more (base64url in the payload). */
  nonce: Uint8Array;
  lifetimeSeconds?: number;
}

/**
 * Signs a department's request (the Elicense-Request-Signature header value)
 * with the department's licence-signing key; x5c carries its certificate and
 * intermediates, not the root (the receiver holds it from the trust list).
 */
export async function signDepartmentRequest(signer: Signer, r: DepartmentRequestToSign): Promise<string> {
  const lifetime = r.lifetimeSeconds ?? DEFAULT_REQUEST_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_REQUEST_LIFETIME_SECONDS) {
    throw new ElicenseError('INPUT_MALFORMED', `a signed request lives 1 to ${MAX_REQUEST_LIFETIME_SECONDS} s`);
  }
  if (!r.path.startsWith('/')) throw new ElicenseError('INPUT_MALFORMED', 'a signed request path starts with /');
  if (r.nonce.byteLength < 16) throw new ElicenseError('INPUT_MALFORMED', 'a signed request needs 16 random bytes or more');
  const iat = Math.floor(r.at.getTime() / 1000);
  const claims: DepartmentRequestClaims = {
    method: r.method,
    path: r.path,
    bodyDigest: requestBodyDigest(r.body),
    region: r.region,
    uscc: r.uscc,
    aud: r.audience,
    iat,
    exp: iat + lifetime,
    jti: Buffer.from(r.nonce.buffer, r.nonce.byteOffset, r.nonce.byteLength).toString('base64url'),
  };
  const x5c = signer.certificateChain.map((der) => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'));
  return signCompactJws(signer, Buffer.from(canonicalJson(claims), 'utf8'), { typ: REQUEST_JWS_TYP, x5c });
}
