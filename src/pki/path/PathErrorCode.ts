import { ParsedCertificate } from '../certificate/ParsedCertificate';

/** Stable reasons a certification path is refused. Closed list: callers switch on it. */
export const PATH_ERROR_CODES = [
  /** A certificate could not be parsed (leaf) or breaks the DER/X.509 encoding rules. */
  'CERT_MALFORMED',
  /** No path from the leaf to any trust anchor. */
  'CHAIN_UNTRUSTED',
  /** Every path found needs more intermediates than allowed. */
  'CHAIN_TOO_LONG',
  /** Path building gave up: the candidate pool is pathological (too many combinations). */
  'PATH_BUILDING_LIMIT',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CHAIN_SIGNATURE_INVALID',
  /** Signature algorithm or public key refused (SHA-1, DSA, RSA < 2048, P-192, explicit curves...). */
  'ALGORITHM_NOT_ALLOWED',
  /** An SM2 certificate under a non-SM2 issuer, or the reverse: a path is all SM2 or has no SM2 key (docs/adr/0009-national-cryptography.md). */
  'ALGORITHM_MIXED',
  /** An issuer is not a CA: basicConstraints cA missing, or keyUsage without keyCertSign. */
  'CA_NOT_AUTHORIZED',
  /** The leaf is a CA certificate (basicConstraints cA=TRUE); signers must be end entities. */
  'CA_USED_AS_END_ENTITY',
  'PATH_LENGTH_EXCEEDED',
  'KEY_USAGE_NOT_ALLOWED',
  'EKU_NOT_ALLOWED',
  'UNKNOWN_CRITICAL_EXTENSION',
  /** A certificate breaks the RFC 5280 profile (criticality, missing AKI/SKI, empty names, bad SAN syntax...). */
  'CERT_PROFILE_INVALID',
  'NAME_CONSTRAINTS_VIOLATED',
  /** Name constraints too large to evaluate within the work limit (quadratic blow-up guard). */
  'NAME_CONSTRAINTS_TOO_COMPLEX',
  /** Certificate policy extensions are inconsistent or an explicit policy is required but absent. */
  'POLICY_INVALID',
] as const;

export type PathErrorCode = (typeof PATH_ERROR_CODES)[number];

export type PathValidationResult =
  | {
      ok: true;
      /** Leaf first, trust anchor last. */
      chain: ParsedCertificate[];
      /** Every time-dependent check of this path holds from validFrom to validUntil (inclusive). */
      validFrom: Date;
      validUntil: Date;
    }
  | {
      ok: false;
      code: PathErrorCode;
      message: string;
      /** Index in the attempted path (0 = leaf) of the certificate at fault, when known. */
      certificate?: number;
    };

/** A refusal found while checking a path; becomes the result if no path succeeds. */
export interface PathFailure {
  code: PathErrorCode;
  message: string;
  certificate?: number;
}

export function failure(code: PathErrorCode, message: string, certificate?: number): PathFailure {
  return certificate === undefined ? { code, message } : { code, message, certificate };
}
