import { createHash } from 'node:crypto';
import { OID } from '../oids';
import { readCertificateParts } from './der/readCertificateParts';
import { readNameAttributes } from './der/readNameAttributes';
import type { CeremonyProblem } from './parseCeremonyConfig';
import type { SigningAlgorithm } from './signingAlgorithm';

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
  algorithm: SigningAlgorithm;
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
  region: { name: string; code: string };
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
  const parts = readCertificateParts(der);
  const ski = parts.extensions.find((e) => e.oid === '2.5.29.14');
  return {
    ...fields,
    subject: readNameAttributes(parts.subject)
      .map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${a.value}`)
      .join(', '),
    serialNumber: Buffer.from(parts.serialNumber).toString('hex'),
    notBefore: parts.notBefore.toISOString(),
    notAfter: parts.notAfter.toISOString(),
    // extnValue is an OCTET STRING: skip its two-byte header (key ids are 20 bytes)
    keyId: ski ? Buffer.from(ski.value.subarray(2)).toString('hex') : '',
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}
