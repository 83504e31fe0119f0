import type { Signer } from '../Signer';
import { protectedHeaderFor } from './protectedHeaderFor';
import { signatureFromSigner } from './signatureFromSigner';
import { signingInput } from './signingInput';

/**
 * Detached compact JWS (RFC 7515 appendix F): BASE64URL(header) '..'
 * BASE64URL(signature), the signature covering BASE64URL(header) '.'
 * BASE64URL(payload). The header carries alg, kid and x5c from the signer
 * plus the extras (typ, sigT, ...).
 */
export async function signDetachedJws(signer: Signer, payload: Uint8Array, extraProtected: Record<string, unknown>): Promise<string> {
  const protectedB64 = protectedHeaderFor(signer, extraProtected, true);
  const payloadB64 = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64url');
  const signature = await signatureFromSigner(signer, signingInput(protectedB64, payloadB64));
  return `${protectedB64}..${signature.toString('base64url')}`;
}
