import { ElicenseError } from '../../errors';
import { OID, USCC_ORGANIZATION_IDENTIFIER_PREFIX } from '../oids';
import { CODE_PATTERNS } from './codePatterns';
import { readCertificateParts } from './der/readCertificateParts';
import { readNameAttributes } from './der/readNameAttributes';

export interface DepartmentIdentity {
  uscc: string;
  divisionCode: string;
  /** The organization (O) attribute. */
  name: string;
}

/**
 * The department identity the CA wrote into a signing certificate's subject.
 * The verifier matches a licence's issuer code against `uscc`. Throws
 * CERT_MALFORMED when the subject does not carry exactly one well-formed value
 * of each (a verifier should report that as an untrusted signer).
 */
export function readDepartmentIdentity(certificate: Uint8Array): DepartmentIdentity {
  const attributes = readNameAttributes(readCertificateParts(certificate).subject);
  const only = (oid: string, what: string): string => {
    const values = attributes.filter((a) => a.oid === oid).map((a) => a.value);
    if (values.length !== 1) throw new ElicenseError('CERT_MALFORMED', `certificate subject must carry exactly one ${what}, found ${values.length}`);
    return values[0]!;
  };
  const orgId = only(OID.attrOrganizationIdentifier, 'organizationIdentifier');
  if (!orgId.startsWith(USCC_ORGANIZATION_IDENTIFIER_PREFIX)) {
    throw new ElicenseError('CERT_MALFORMED', `organizationIdentifier is not of the form ${USCC_ORGANIZATION_IDENTIFIER_PREFIX}<USCC>`);
  }
  const uscc = orgId.slice(USCC_ORGANIZATION_IDENTIFIER_PREFIX.length);
  if (!CODE_PATTERNS.uscc.test(uscc)) throw new ElicenseError('CERT_MALFORMED', 'organizationIdentifier does not carry a well-formed USCC');
  const divisionCode = only(OID.attrDivisionCode, 'division code');
  if (!CODE_PATTERNS.divisionCode.test(divisionCode)) throw new ElicenseError('CERT_MALFORMED', 'division code attribute is not a GB/T 2260 code');
  return { uscc, divisionCode, name: only(OID.attrOrganization, 'organization name') };
}
