import { ElicenseError } from '../../errors';
import { canonicalJson } from '../../json/canonicalJson';
import { isAllowedAlgorithm } from '../algorithms';
import type { Signer } from '../Signer';

/** Header names the signer sets itself; callers may not supply or override them. */
const RESERVED = ['alg', 'kid', 'x5c', 'crit', 'b64'];

/** x5c entries per signer: a department signs thousands of licences with one chain. */
const x5cOf = new WeakMap<Signer, string[]>();

/**
 * The BASE64URL of a protected header: alg and kid from the signer (and x5c
 * when withChain), then the caller's extras. Serialised canonically, so equal
 * headers are equal strings.
 */
export function protectedHeaderFor(signer: Signer, extra: Record<string, unknown>, withChain: boolean): string {
  if (!isAllowedAlgorithm(signer.algorithm)) {
    throw new ElicenseError('ALGORITHM_NOT_ALLOWED', `signer algorithm ${String(signer.algorithm)} is not allowed`);
  }
  for (const name of RESERVED) {
    if (name in extra && !(name === 'x5c' && !withChain)) {
      throw new ElicenseError('JWS_MALFORMED', `header ${name} is set by the signer, not by the caller`);
    }
  }
  const header: Record<string, unknown> = { ...extra, alg: signer.algorithm, kid: signer.keyId };
  if (withChain) {
    if (signer.certificateChain.length === 0) throw new ElicenseError('CERT_MALFORMED', 'the signer has no certificate chain');
    // RFC 7515 4.1.6: x5c entries are standard base64 (not base64url) DER.
    let x5c = x5cOf.get(signer);
    if (!x5c) {
      x5c = signer.certificateChain.map((der) => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'));
      x5cOf.set(signer, x5c);
    }
    header['x5c'] = x5c;
  }
  return Buffer.from(canonicalJson(header), 'utf8').toString('base64url');
}
