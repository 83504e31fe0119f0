import { OID, USCC_ORGANIZATION_IDENTIFIER_PREFIX } from '../oids';
import { encodeOid, encodePrintableString, encodeSequence, encodeTlv, encodeUtf8String } from './der/encodeDer';

/** The distinguished-name fields elicense certificates use. */
export interface SubjectFields {
  /** ISO 3166 country; defaults to CN. */
  country?: string;
  province?: string;
  locality?: string;
  organization?: string;
  organizationalUnit?: string;
  commonName: string;
  /** Unified social credit code; written as organizationIdentifier "NTRCN-<USCC>". */
  uscc?: string;
  /** GB/T 2260 division code, in our placeholder-arc attribute. */
  divisionCode?: string;
}

/**
 * X.501 Name DER, one attribute per RDN in a fixed order. Country, codes and
 * the organizationIdentifier are PrintableString (ASCII by construction);
 * names are UTF8String (RFC 5280 4.1.2.6) since they are Chinese.
 */
export function encodeSubjectName(fields: SubjectFields): Uint8Array {
  const rdns: Uint8Array[] = [];
  const add = (oid: string, value: Uint8Array): void => {
    rdns.push(encodeTlv(0x31, encodeSequence(encodeOid(oid), value)));
  };
  add(OID.attrCountry, encodePrintableString(fields.country ?? 'CN'));
  if (fields.province) add(OID.attrProvince, encodeUtf8String(fields.province));
  if (fields.locality) add(OID.attrLocality, encodeUtf8String(fields.locality));
  if (fields.organization) add(OID.attrOrganization, encodeUtf8String(fields.organization));
  if (fields.organizationalUnit) add(OID.attrOrganizationalUnit, encodeUtf8String(fields.organizationalUnit));
  add(OID.attrCommonName, encodeUtf8String(fields.commonName));
  if (fields.uscc) add(OID.attrOrganizationIdentifier, encodePrintableString(USCC_ORGANIZATION_IDENTIFIER_PREFIX + fields.uscc));
  if (fields.divisionCode) add(OID.attrDivisionCode, encodePrintableString(fields.divisionCode));
  return encodeSequence(...rdns);
}
