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
}

/**
 * Everything verification trusts, passed in explicitly. The local trust file
 * produces it today; signed trust lists from peer regions feed the same shape.
 */
export interface TrustInputs {
  /** Pinned root certificates (region roots). */
  anchors: readonly ParsedCertificate[];
  lookupDepartment(uscc: string): DepartmentTrust | undefined;
  /**
   * Region time-stamping authority certificates by key id (docs/adr/0001). They
   * are region trust material like the departments: listed, not carried in
   * every licence, so a region can retire or withdraw one.
   */
  lookupTimestampAuthority(keyId: string): ParsedCertificate | undefined;
  /**
   * A department signing certificate (and its intermediates) by key id, for
   * forms that carry only the key id (the compact QR). Absent: such forms
   * cannot be verified against this trust data (KEY_UNKNOWN).
   */
  lookupSignerCertificate?(keyId: string): { certificate: ParsedCertificate; intermediates: ParsedCertificate[] } | undefined;
  /** Licence status, when this verifier has status data (absent: status is not checked). */
  statusOf?(query: StatusQuery): StatusAnswer;
  /** Where this trust data came from and how fresh it is. */
  source: string;
  asOf: Date | null;
}

/** What a status source says about one licence (status lists, or an issuing node's own records). */
export type StatusAnswer =
  | { kind: 'status'; status: 'valid' | 'revoked' | 'suspended'; asOf: Date; source: string; reason?: string; since?: Date }
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
}
