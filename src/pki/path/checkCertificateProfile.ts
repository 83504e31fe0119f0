import { EXT } from '../certificate/CertificateExtensions';
import { GeneralName } from '../certificate/GeneralName';
import { ParsedCertificate } from '../certificate/ParsedCertificate';
import { PathFailure, failure } from './PathErrorCode';
import { isValidDnsName } from './dnsNameSyntax';

/** Extensions we process, so they may be critical. */
const UNDERSTOOD_CRITICAL = new Set<string>([
  EXT.basicConstraints,
  EXT.keyUsage,
  EXT.extKeyUsage,
  EXT.subjectAltName,
  EXT.nameConstraints,
  EXT.certificatePolicies,
  EXT.policyMappings,
  EXT.policyConstraints,
  EXT.inhibitAnyPolicy,
]);

function sanNameProblem(n: GeneralName): string | undefined {
  switch (n.type) {
    case 'dns':
      return isValidDnsName(n.value, true) ? undefined : `invalid dNSName "${n.value}" in subjectAltName`;
    case 'ip':
      return n.bytes.length === 4 || n.bytes.length === 16 ? undefined : 'iPAddress in subjectAltName is not 4 or 16 bytes';
    case 'email':
      return /^[^@\s]+@[^@\s]+$/.test(n.value) ? undefined : `invalid rfc822Name "${n.value}"`;
    default:
      return undefined;
  }
}

/** Checks that do not depend on the rest of the path, for every certificate (index i in the path). */
function checkCommon(c: ParsedCertificate, i: number, isAnchor: boolean): PathFailure | undefined {
  if (!c.publicKey) return failure('ALGORITHM_NOT_ALLOWED', c.publicKeyProblem ?? 'public key refused', i);
  for (const e of c.extensionList) {
    if (e.critical && !UNDERSTOOD_CRITICAL.has(e.oid)) {
      return failure('UNKNOWN_CRITICAL_EXTENSION', `unknown critical extension ${e.oid}`, i);
    }
  }
  const x = c.ext;
  if (c.issuer.isEmpty) return failure('CERT_PROFILE_INVALID', 'empty issuer name', i);
  // RFC 5280 4.2.1.1 / 4.2.1.2: key identifiers are never critical.
  if (x.subjectKeyId?.critical) return failure('CERT_PROFILE_INVALID', 'critical subjectKeyIdentifier', i);
  if (x.authorityKeyId?.critical) return failure('CERT_PROFILE_INVALID', 'critical authorityKeyIdentifier', i);
  if (x.authorityKeyId && x.authorityKeyId.keyId === undefined) {
    return failure('CERT_PROFILE_INVALID', 'authorityKeyIdentifier without keyIdentifier', i);
  }
  // 4.2.1.1: AKI may be left out only by a self-signed certificate. An anchor's own
  // issuer plays no part in the path, so its AKI is not needed.
  if (!x.authorityKeyId && !c.selfIssued && !isAnchor && c.version === 3) {
    return failure('CERT_PROFILE_INVALID', 'missing authorityKeyIdentifier', i);
  }
  // 4.2.1.6: with an empty subject the SAN carries the identity and is critical; otherwise it is not.
  const san = x.subjectAltName;
  if (c.subject.isEmpty && !san?.critical) return failure('CERT_PROFILE_INVALID', 'empty subject without a critical subjectAltName', i);
  if (!c.subject.isEmpty && san?.critical) return failure('CERT_PROFILE_INVALID', 'critical subjectAltName with a non-empty subject', i);
  for (const n of san?.names ?? []) {
    const problem = sanNameProblem(n);
    if (problem) return failure('CERT_PROFILE_INVALID', problem, i);
  }
  const pc = x.policyConstraints;
  if (pc && (!pc.critical || (pc.requireExplicitPolicy === undefined && pc.inhibitPolicyMapping === undefined))) {
    return failure('POLICY_INVALID', 'policyConstraints must be critical and not empty', i);
  }
  if (x.basicConstraints && !x.basicConstraints.ca && x.basicConstraints.pathLen !== undefined) {
    return failure('CERT_PROFILE_INVALID', 'pathLenConstraint without cA', i);
  }
  return undefined;
}

/** Role-specific checks for the leaf (index 0). */
export function checkLeafProfile(c: ParsedCertificate): PathFailure | undefined {
  const common = checkCommon(c, 0, false);
  if (common) return common;
  const x = c.ext;
  // Deliberate (as webpki/CABF): licence signers are end entities; a CA key must not sign documents.
  if (x.basicConstraints?.ca) return failure('CA_USED_AS_END_ENTITY', 'leaf certificate is a CA (basicConstraints cA=TRUE)', 0);
  if (x.keyUsage?.usages.has('keyCertSign')) return failure('CERT_PROFILE_INVALID', 'keyCertSign in a non-CA certificate', 0);
  if (x.nameConstraints) return failure('CERT_PROFILE_INVALID', 'nameConstraints in an end-entity certificate', 0);
  return undefined;
}

/** Role-specific checks for an issuer (intermediate or trust anchor) at index i. */
export function checkCaProfile(c: ParsedCertificate, i: number, isAnchor: boolean): PathFailure | undefined {
  const common = checkCommon(c, i, isAnchor);
  if (common) return common;
  const x = c.ext;
  if (!x.basicConstraints?.ca) return failure('CA_NOT_AUTHORIZED', 'issuer is not a CA (basicConstraints cA missing)', i);
  if (!x.basicConstraints.critical) return failure('CERT_PROFILE_INVALID', 'basicConstraints of a CA not critical', i);
  if (x.keyUsage && !x.keyUsage.usages.has('keyCertSign')) {
    return failure('CA_NOT_AUTHORIZED', 'issuer keyUsage lacks keyCertSign', i);
  }
  if (c.subject.isEmpty) return failure('CERT_PROFILE_INVALID', 'CA with an empty subject', i);
  if (!x.subjectKeyId) return failure('CERT_PROFILE_INVALID', 'CA without subjectKeyIdentifier', i);
  const nc = x.nameConstraints;
  if (nc && !nc.permitted?.length && !nc.excluded?.length) {
    return failure('CERT_PROFILE_INVALID', 'nameConstraints with neither permitted nor excluded subtrees', i);
  }
  return undefined;
}
