import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { TrustInputs } from '../trust/TrustInputs';
import { PathCache } from './PathCache';
import { SignerCache } from './SignerCache';

/** What every verifier judges a licence against: trust data, the type standards and the verification clock. */
export interface VerifyContext {
  trust: TrustInputs;
  catalog: StandardsCatalog;
  /** The verification clock: everything is judged as of this instant. */
  at: Date;
  /** Memo of header decoding and path validation; pass one in to keep it warm across calls. */
  caches?: VerifierCaches;
}

export interface VerifierCaches {
  signers: SignerCache;
  paths: PathCache;
}

export function createVerifierCaches(): VerifierCaches {
  return { signers: new SignerCache(), paths: new PathCache() };
}
