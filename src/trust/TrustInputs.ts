import type { ParsedCertificate } from '../pki/certificate/ParsedCertificate';

export type DepartmentState = 'active' | 'suspended' | 'withdrawn';

/** What a region says about one department: who it is, what it may issue, with which keys. */
export interface DepartmentTrust {
  uscc: string;
  name: string;
  regionCode: string;
  authorizedTypeCodes: ReadonlySet<string>;
  /** Key ids (first 8 bytes of SHA-256 of the certificate, base64url) this department signs with. */
  keyIds: ReadonlySet<string>;
  state: DepartmentState;
  /** When the current state took effect; licences signed (timestamped) before it are judged by the earlier state. */
  stateSince: Date | null;
  /** When each type was granted (signed trust lists): a licence stamped before the grant was not authorised. */
  authorizedSince?: ReadonlyMap<string, Date>;
  /**
   * SHA-256 of the root of the region that lists this department (federated
   * trust): a signer whose path ends at another region's root is not this
   * department, whatever its certificate says.
   */
  anchorFingerprint?: string;
  /**
   * When the trust data listing this department stops vouching for it (a peer's
   * trust list: nextUpdate plus the grace, docs/adr/0006). Past it, its licences
   * are rejected (TRUST_LIST_EXPIRED), not merely reported stale.
   */
  trustExpiresAt?: Date;
}

/** Whether the verifying region recognises a licence type of the issuing region, and as what. */
export type RecognitionAnswer =
  | { recognized: true; localTypeCode: string; basis: string }
  | { recognized: false; detail: string };

/** How fresh one piece of the trust data behind a result was. */
export interface TrustFreshnessDetail {
  data: 'trust-list' | 'status-list' | 'recognition-agreement' | 'local';
  region: string;
  source: string;
  /** When the data was issued (signed documents) or confirmed (local data). */
  asOf: string | null;
  /** When this node last fetched or confirmed it (peer documents). */
  fetchedAt?: string;
  sequence?: number;
  /** Past its own nextUpdate / time-to-live. */
  stale?: boolean;
}

/**
 * Everything verification trusts, passed in explicitly. The local trust file
 * produces it today; signed trust lists from peer regions feed the same shape.
 */
export interface TrustInputs {
  /** Pinned root certificates (region roots). */
  anchors: readonly ParsedCertificate[];
  /**
   * A department by USCC, as listed by `regionCode` (the region whose root the
   * licence's chain ends at). Without a region: the only listing of the USCC
   * (none when several regions list it: docs/adr/0006).
   */
  lookupDepartment(uscc: string, regionCode?: string): DepartmentTrust | undefined;
  /**
   * Region time-stamping authority certificates by key id (docs/adr/0001). They
   * are region trust material like the departments: listed, not carried in
   * every licence, so a region can retire or withdraw one.
   */
  lookupTimestampAuthority(keyId: string, regionCode?: string): ParsedCertificate | undefined;
  /** The region whose root certificate has this SHA-256 (absent or undefined: roots are not tied to regions). */
  regionOfRoot?(fingerprint: string): string | undefined;
  /**
   * A department signing certificate (and its intermediates) by key id, for
   * forms that carry only the key id (the compact QR). Absent: such forms
   * cannot be verified against this trust data (KEY_UNKNOWN).
   */
  lookupSignerCertificate?(keyId: string): { certificate: ParsedCertificate; intermediates: ParsedCertificate[] } | undefined;
  /** Licence status, when this verifier has status data (absent: status is not checked). */
  statusOf?(query: StatusQuery, at: Date): StatusAnswer;
  /**
   * Recognition under the verifying region's agreement (docs/product.md 4.1, last
   * step). Absent: recognition is reported as not checked.
   */
  recognize?(issuerRegionCode: string, typeCode: string): RecognitionAnswer;
  /** Freshness of each piece of trust data about an issuing region (shown with the result). */
  freshnessOf?(issuerRegionCode: string): TrustFreshnessDetail[];
  /** Where this trust data came from and how fresh it is. */
  source: string;
  asOf: Date | null;
}

/** What a status source says about one licence (status lists, or an issuing node's own records). */
export type StatusAnswer =
  | { kind: 'status'; status: 'valid' | 'revoked' | 'suspended'; asOf: Date; source: string; reason?: string; since?: Date }
  /** Status data older than its time-to-live or than the recognition agreement allows. */
  | { kind: 'stale'; status: 'valid' | 'revoked' | 'suspended'; asOf: Date; source: string; detail: string }
  /** The source covers this issuer but does not know the licence: never treated as valid. */
  | { kind: 'unknown'; source: string }
  /** No status data for this issuer: the status check is reported as not checked. */
  | { kind: 'not_covered' };

/** The fields of a licence a status source looks it up by. */
export interface StatusQuery {
  identifier: string;
  issuerCode: string;
  typeCode: string;
  statusEntry?: { listId: string; index: number };
  /** The issuing region as verification established it (the root the chain ends at), when it did. */
  issuerRegion?: string;
}
