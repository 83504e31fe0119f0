import { ElicenseError } from '../../errors';
import type { Signer } from '../Signer';
import { isPlausibleSignatureLength } from './isPlausibleSignatureLength';

/**
 * Asks the signer for a signature and checks it has the JWS shape (an HSM
 * returning a DER ECDSA signature, say, would otherwise yield a JWS nobody
 * can verify).
 */
export async function signatureFromSigner(signer: Signer, input: Uint8Array): Promise<Buffer> {
  const raw = await signer.sign(input);
  if (!isPlausibleSignatureLength(signer.algorithm, raw.byteLength)) {
    throw new ElicenseError('KEY_INVALID', `signer returned ${raw.byteLength} bytes, not a ${signer.algorithm} JWS signature`);
  }
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}
