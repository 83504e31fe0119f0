import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import type { DepartmentTrust, TrustInputs } from '../../trust/TrustInputs';

/**
 * What self-verification of one department's new licences needs of the node's trust, as plain data a
 * worker thread can be sent: the region's root, the issuing department's entry and the time-stamping
 * authority's certificate, exactly as the node's trust snapshot lists them.
 */
export interface SelfCheckTrust {
  rootDer: Uint8Array[];
  regionCode: string | undefined;
  department: DepartmentTrust;
  tsa: { keyId: string; der: Uint8Array };
  source: string;
  asOf: Date | null;
}

/** The parts of `trust` that a licence of `uscc` stamped by `tsaKeyId` is judged by; null when the trust lacks one. */
export function selfCheckTrustOf(trust: TrustInputs, uscc: string, tsaKeyId: string): SelfCheckTrust | null {
  const department = trust.lookupDepartment(uscc);
  const tsa = trust.lookupTimestampAuthority(tsaKeyId);
  if (!department || !tsa) return null;
  const anchor = trust.anchors[0];
  return {
    rootDer: trust.anchors.map((a) => a.der),
    regionCode: anchor ? trust.regionOfRoot?.(anchor.fingerprint) : undefined,
    department,
    tsa: { keyId: tsaKeyId, der: tsa.der },
    source: trust.source,
    asOf: trust.asOf,
  };
}

/**
 * Trust inputs that answer as the node's own do for this department and authority, and know nothing else
 * (a licence naming anything else would not verify, which is the stricter answer).
 */
export function trustForSelfCheck(t: SelfCheckTrust): TrustInputs {
  const anchors = t.rootDer.map((der) => parseCertificate(der));
  const tsa = parseCertificate(t.tsa.der);
  const here = (regionCode: string | undefined) => regionCode === undefined || regionCode === t.regionCode;
  return {
    anchors,
    lookupDepartment: (uscc, regionCode) => (uscc === t.department.uscc && here(regionCode) ? t.department : undefined),
    lookupTimestampAuthority: (keyId, regionCode) => (keyId === t.tsa.keyId && here(regionCode) ? tsa : undefined),
    regionOfRoot: (fingerprint) => (t.regionCode !== undefined && anchors[0]?.fingerprint === fingerprint ? t.regionCode : undefined),
    source: t.source,
    asOf: t.asOf,
  };
}
