import type { ParsedCertificate } from './certificate/ParsedCertificate';
import { OID, USCC_ORGANIZATION_IDENTIFIER_PREFIX } from './oids';

export interface CertificateDepartmentIdentity {
  /** USCC from organizationIdentifier "NTRCN-<USCC>" (docs/adr/0002), if exactly one is present. */
  uscc: string | null;
  /** GB/T 2260 code from the placeholder-arc attribute, if exactly one is present. */
  divisionCode: string | null;
  /** The O attribute. */
  name: string | null;
}

const cache = new WeakMap<ParsedCertificate, CertificateDepartmentIdentity>();

/**
 * Which department a signing certificate names. Absent or repeated attributes
 * give null, so a verifier reports ISSUER_MISMATCH instead of guessing.
 */
export function departmentIdentityOf(cert: ParsedCertificate): CertificateDepartmentIdentity {
  const hit = cache.get(cert);
  if (hit) return hit;
  const only = (oid: string): string | null => {
    const values = cert.subject.rdns.flat().filter((a) => a.oid === oid && a.text !== undefined);
    return values.length === 1 ? values[0]!.text! : null;
  };
  const orgId = only(OID.attrOrganizationIdentifier);
  const identity = {
    uscc: orgId?.startsWith(USCC_ORGANIZATION_IDENTIFIER_PREFIX) ? orgId.slice(USCC_ORGANIZATION_IDENTIFIER_PREFIX.length) : null,
    divisionCode: only(OID.attrDivisionCode),
    name: only(OID.attrOrganization),
  };
  cache.set(cert, identity);
  return identity;
}
