/**
 * Object identifiers used by elicense.
 *
 * PLACEHOLDER ARC: elicense has no nationally assigned OID yet. Until one is
 * assigned, our private identifiers live under a UUID-derived OID in the
 * ITU-T X.667 `2.25` arc (UUID e74c2c9f-0705-4863-b153-59519107fe93), which
 * anyone may allocate without registration and which cannot collide with a
 * real assignment. Replace ELICENSE_ARC when a real arc is granted; the
 * values below are the only place these numbers appear. See docs/adr/0002.
 */
export const ELICENSE_ARC = '2.25.307447186613037395529315653011613679251';

export const OID = {
  /** EKU: the certificate may sign electronic licences (placeholder arc). */
  ekuLicenseSigning: `${ELICENSE_ARC}.1.1`,
  /** EKU: the certificate may sign trust lists, status lists and agreements (placeholder arc). */
  ekuTrustListSigning: `${ELICENSE_ARC}.1.2`,
  /** Subject attribute: GB/T 2260 administrative division code of the department (placeholder arc). */
  attrDivisionCode: `${ELICENSE_ARC}.2.1`,
  /**
   * Certificate policy: the certificate belongs to a DEMO region (test keys, no legal effect). Set by a demo
   * ceremony on the region root and every certificate it issues; verifiers answer `demo: true` (placeholder arc).
   */
  policyDemoRegion: `${ELICENSE_ARC}.3.1`,

  /** RFC 5280 / X.520 standard identifiers. */
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  /** EKU id-kp-documentSigning (RFC 9336): on department certificates, for PDF readers (docs/adr/0004, "Readers agree"). */
  ekuDocumentSigning: '1.3.6.1.5.5.7.3.36',
  /** EKU id-kp-emailProtection: NSS (poppler's pdfsig) accepts a PDF signer certificate only with it (docs/adr/0004, "Readers agree"). */
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  anyExtendedKeyUsage: '2.5.29.37.0',
  /** X.520 organizationIdentifier; carries the USCC as "NTRCN-<USCC>" (ETSI EN 319 412-1 semantics). */
  attrOrganizationIdentifier: '2.5.4.97',
  attrCommonName: '2.5.4.3',
  attrOrganization: '2.5.4.10',
  attrOrganizationalUnit: '2.5.4.11',
  attrCountry: '2.5.4.6',
  attrLocality: '2.5.4.7',
  attrProvince: '2.5.4.8',

  /** National cryptography (GM/T), for the later SM2 work. */
  sm2Curve: '1.2.156.10197.1.301',
  sm3: '1.2.156.10197.1.401',
  sm2WithSm3: '1.2.156.10197.1.501',
} as const;

/** Prefix of the organizationIdentifier value that carries a USCC. */
export const USCC_ORGANIZATION_IDENTIFIER_PREFIX = 'NTRCN-';
