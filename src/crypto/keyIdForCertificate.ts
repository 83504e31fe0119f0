import { createHash } from 'node:crypto';

/**
 * Key id of a signer certificate, as in the EU digital COVID certificate:
 * the first 8 bytes of SHA-256 over the certificate DER, base64url (11 chars).
 */
export function keyIdForCertificate(der: Uint8Array): string {
  return createHash('sha256').update(der).digest().subarray(0, 8).toString('base64url');
}
