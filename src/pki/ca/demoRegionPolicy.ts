import { parseCertificate } from '../certificate/ParsedCertificate';
import { OID } from '../oids';

/**
 * Whether certificates (a signer's chain, DER) belong to a DEMO region: one of
 * them carries the elicense demo-region certificate policy (docs/adr/0002).
 * A demo ceremony sets it on every certificate and a demo CA passes it down, so
 * a demo signer's own certificate carries it. For the issuing side (the PDF's
 * demo mark); verifiers decide from the validated chain (verify/checkSignerPath).
 */
export function carriesDemoPolicy(certificates: readonly Uint8Array[]): boolean {
  return certificates.some((der) => parseCertificate(der).ext.certificatePolicies?.policies.includes(OID.policyDemoRegion) === true);
}
