import type { Signer } from '../Signer';
import { protectedHeaderFor } from './protectedHeaderFor';
import { signatureFromSigner } from './signatureFromSigner';
import { signingInput } from './signingInput';

/**
 * Ordinary compact JWS with the payload attached. The header carries alg and
 * kid only (no certificate chain, for compact forms such as the QR), plus the
 * extras; pass x5c among the extras if a chain is wanted.
 */
export async function signCompactJws(signer: Signer, payload: Uint8Array, extraProtected: Record<string, unknown>): Promise<string> {
  const protectedB64 = protectedHeaderFor(signer, extraProtected, false);
  const payloadB64 = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64url');
  const signature = await signatureFromSigner(signer, signingInput(protectedB64, payloadB64));
  return `${protectedB64}.${payloadB64}.${signature.toString('base64url')}`;
}
