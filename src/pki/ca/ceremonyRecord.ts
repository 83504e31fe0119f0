import { parseCertificate } from '../certificate/ParsedCertificate';
import { OID } from '../oids';
import type { CeremonyProblem } from './parseCeremonyConfig';
import type { JwsAlgorithm } from '../../crypto/algorithms';

export type CeremonyRole = 'root' | 'intermediate' | 'trustListSigner' | 'timestampAuthority' | 'department';

export interface CeremonyRecordEntry {
  role: CeremonyRole;
  id: string;
  /** Absent for the self-signed root. */
  issuerId?: string;
  subject: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  algorithm: JwsAlgorithm;
  /** Subject key identifier, hex. */
  keyId: string;
  /** SHA-256 of the certificate DER, hex; the root's is what peers pin. */
  sha256Fingerprint: string;
  uscc?: string;
  divisionCode?: string;
  licenseTypes?: string[];
}

/** What the operator reviews and archives after the ceremony; no key material. */
export interface CeremonyRecord {
  ceremonyVersion: 1;
  region: { name: string; code: string; demo?: boolean };
  performedAt: string;
  warnings: CeremonyProblem[];
  certificates: CeremonyRecordEntry[];
}

const SHORT_NAMES: Record<string, string> = {
  [OID.attrCountry]: 'C',
  [OID.attrProvince]: 'ST',
  [OID.attrLocality]: 'L',
  [OID.attrOrganization]: 'O',
  [OID.attrOrganizationalUnit]: 'OU',
  [OID.attrCommonName]: 'CN',
  [OID.attrOrganizationIdentifier]: 'organizationIdentifier',
  [OID.attrDivisionCode]: 'divisionCode',
};

export function ceremonyRecordEntry(
  der: Uint8Array,
  fields: Pick<CeremonyRecordEntry, 'role' | 'id' | 'issuerId' | 'algorithm' | 'uscc' | 'divisionCode' | 'licenseTypes'>,
): CeremonyRecordEntry {
  const cert = parseCertificate(der);
  return {
    ...fields,
    // Our own short names (divisionCode), attributes of multi-valued RDNs listed one by one.
    subject: cert.subject.rdns
      .flat()
      .map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${a.text ?? '#' + Buffer.from(a.valueDer).toString('hex')}`)
      .join(', '),
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    keyId: cert.ext.subjectKeyId?.keyId ?? '',
    sha256Fingerprint: cert.fingerprint,
  };
}
