/**
 * JWS (RFC 7515) as elicense uses it: detached compact form for the full
 * licence, attached compact form for compact payloads. Each operation lives
 * in its own file under jws/; this module is the one import for callers.
 */
export { signDetachedJws } from './jws/signDetachedJws';
export { signCompactJws } from './jws/signCompactJws';
export { decodeDetachedJws, type DecodedJws, type DecodeJwsResult } from './jws/decodeDetachedJws';
export { verifyDetachedJws, type VerifyDetachedResult } from './jws/verifyDetachedJws';
export { verifyCompactJws, type VerifyCompactResult, type JwsKeyResolver } from './jws/verifyCompactJws';
export { decodeProtectedHeader, type JwsHeaderOptions } from './jws/decodeProtectedHeader';
export { importJwkPublicKey } from './jws/importJwkPublicKey';
export type { JwsFailure, JwsFailureCode } from './jws/JwsFailure';
