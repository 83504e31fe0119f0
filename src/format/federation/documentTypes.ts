/**
 * Payloads of the signed federation documents. The JSON Schemas in
 * standards/federation are the contract; these types mirror them.
 */
/** The three kinds of signed federation document, each with its schema in standards/federation. */
export type FederationKind = 'trust-list' | 'status-list' | 'recognition-agreement';
export const FEDERATION_KINDS: readonly FederationKind[] = ['trust-list', 'status-list', 'recognition-agreement'];

export interface RegionRef {
  code: string;
  name: string;
}

export type KeyState = 'active' | 'retired' | 'withdrawn';

export interface TrustListDocument {
  format: 'elicense/trust-list@1';
  region: RegionRef;
  sequence: number;
  issuedAt: string;
  nextUpdate: string;
  /** Base64 DER of the region root. */
  rootCertificate: string;
  timestampAuthorities: { keyId: string; certificate: string; state: KeyState; stateSince: string }[];
  departments: TrustListDepartment[];
  statusLists: { listId: string; uscc: string }[];
}

export interface TrustListDepartment {
  uscc: string;
  name: string;
  divisionCode: string;
  state: 'active' | 'suspended' | 'withdrawn';
  stateSince: string | null;
  authorizedTypes: { typeCode: string; since: string }[];
  certificates: { keyId: string; certificate: string; chain: string[]; state: KeyState; stateSince: string }[];
}

export interface StatusListDocument {
  format: 'elicense/status-list@1';
  region: RegionRef;
  listId: string;
  uscc: string;
  sequence: number;
  issuedAt: string;
  ttlSeconds: number;
  capacity: number;
  /** zlib of the 2-bit-per-entry bitstring, base64url. */
  bits: string;
}

export interface RecognitionRule {
  peerRegion: string;
  peerTypeCode: string;
  localTypeCode: string;
  conditions: { maxStatusAgeSeconds: number };
}

export interface RecognitionAgreement {
  format: 'elicense/recognition-agreement@1';
  region: RegionRef;
  sequence: number;
  issuedAt: string;
  accepts: RecognitionRule[];
}

export const TRUST_BUNDLE_FORMAT = 'elicense/trust-bundle@1';

/**
 * A trust bundle carries signed documents to a site with no network path to
 * their regions (elicense trust export / import, verify --bundle). It is only
 * a container: each document keeps its own region's signature and is checked
 * on its own.
 */
export interface TrustBundle {
  format: typeof TRUST_BUNDLE_FORMAT;
  exportedAt: string;
  /** The region that exported the bundle. */
  exportedBy: string;
  documents: { kind: 'trust-list' | 'status-list' | 'recognition-agreement'; docId: string; rootSha256: string; body: string }[];
}
