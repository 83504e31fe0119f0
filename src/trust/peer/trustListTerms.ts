import type { ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import type { TrustListDocument } from '../../format/federation/documentTypes';

/**
 * The terms a peer's trust list is read by, shared by the gate
 * (peerDocumentGate.ts) and by verification (FederatedTrust): how long it is
 * used past its nextUpdate, and what "within a region" means for a division
 * code and a USCC.
 */

/**
 * How long past its nextUpdate a peer's trust list is still used (docs/adr/0006):
 * one missed re-signing cycle's worth of outage and clock skew, not more. After
 * it, the list's departments accept no licence, on a node and in the CLI alike.
 */
export const TRUST_LIST_GRACE_SECONDS = 3600;

export function trustListExpiresAt(list: Pick<TrustListDocument, 'nextUpdate'>): Date {
  return new Date(new Date(list.nextUpdate).getTime() + TRUST_LIST_GRACE_SECONDS * 1000);
}

/** The division a USCC was registered in (GB 32100: characters 3 to 8). */
export const usccDivision = (uscc: string): string => uscc.slice(2, 8);

/** Parsed certificates by their base64 text: shared by the gate and FederatedTrust so a reload parses each once (~0.7 ms). */
export type CertificateCache = Map<string, ParsedCertificate>;
