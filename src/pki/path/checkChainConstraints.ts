import { OID } from '../oids';
import { ParsedCertificate } from '../certificate/ParsedCertificate';
import { PathFailure, failure } from './PathErrorCode';

/**
 * pathLenConstraint (RFC 5280 6.1.4 (l), (m)): a CA may be followed by at most
 * pathLen non-self-issued intermediates; the leaf does not count.
 */
export function checkPathLengths(chain: readonly ParsedCertificate[]): PathFailure | undefined {
  let below = 0; // non-self-issued intermediates between chain[k] and the leaf
  for (let k = 1; k < chain.length; k++) {
    const limit = chain[k]!.ext.basicConstraints?.pathLen;
    if (limit !== undefined && below > limit) {
      return failure('PATH_LENGTH_EXCEEDED', `certificate ${k} allows ${limit} intermediate(s) below it, the path has ${below}`, k);
    }
    if (!chain[k]!.selfIssued) below++;
  }
  return undefined;
}

/**
 * Extended key usage. The leaf must list `eku` itself (anyExtendedKeyUsage
 * does not count: signers get a purpose-specific EKU). A CA that carries an
 * EKU extension restricts its subtree, as webpki and most browsers apply it.
 */
export function checkEku(chain: readonly ParsedCertificate[], eku: string | null): PathFailure | undefined {
  if (eku === null) return checkEkuConsistency(chain);
  const leaf = chain[0]!.ext.extKeyUsage;
  if (!leaf) return failure('EKU_NOT_ALLOWED', `leaf has no extKeyUsage; ${eku} required`, 0);
  if (!leaf.oids.includes(eku)) return failure('EKU_NOT_ALLOWED', `leaf extKeyUsage does not include ${eku}`, 0);
  for (let k = 1; k < chain.length; k++) {
    const x = chain[k]!.ext.extKeyUsage;
    if (x && !x.oids.includes(eku) && !x.oids.includes(OID.anyExtendedKeyUsage)) {
      return failure('EKU_NOT_ALLOWED', `issuer extKeyUsage does not include ${eku}`, k);
    }
  }
  return undefined;
}

/** Validity at `time`, floored to whole seconds (certificate times have second granularity). */
export function checkValidity(c: ParsedCertificate, index: number, time: Date): PathFailure | undefined {
  const t = Math.floor(time.getTime() / 1000) * 1000;
  if (t < c.notBefore.getTime()) return failure('CERT_NOT_YET_VALID', `certificate ${index} is valid from ${c.notBefore.toISOString()}`, index);
  if (t > c.notAfter.getTime()) return failure('CERT_EXPIRED', `certificate ${index} expired at ${c.notAfter.toISOString()}`, index);
  return undefined;
}

/**
 * With no required purpose, the leaf's purposes must still survive every CA's
 * EKU restriction: a CA limited to emailProtection cannot vouch for a
 * serverAuth-only leaf (as Go and BetterTLS expect).
 */
function checkEkuConsistency(chain: readonly ParsedCertificate[]): PathFailure | undefined {
  const leaf = chain[0]!.ext.extKeyUsage;
  if (!leaf || leaf.oids.includes(OID.anyExtendedKeyUsage)) return undefined;
  let allowed = leaf.oids;
  for (let k = 1; k < chain.length; k++) {
    const x = chain[k]!.ext.extKeyUsage;
    if (!x || x.oids.includes(OID.anyExtendedKeyUsage)) continue;
    allowed = allowed.filter((o) => x.oids.includes(o));
    if (allowed.length === 0) return failure('EKU_NOT_ALLOWED', `issuer extKeyUsage excludes every purpose of the leaf`, k);
  }
  return undefined;
}
