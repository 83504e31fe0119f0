import { departmentIdentityOf } from '../pki/departmentIdentity';
import { divisionWithinRegion } from '../codes/divisionCode';
import type { TrustInputs } from '../trust/TrustInputs';
import type { ResultBuilder } from './ResultBuilder';
import type { SignerEntry } from './SignerCache';

/**
 * Step 6, issuer, for every licence form: the signer certificate is the
 * department the record names, listed by the region whose root the chain ends
 * at (by trust data not past its end), with this signing key, authorised for
 * the licence's type when it was signed, and active (or stamped before it
 * stopped being); the licence's area code lies in that region.
 */
export function checkIssuerAuthority(
  record: Record<string, unknown>,
  signer: Pick<SignerEntry, 'leaf' | 'keyId'>,
  trust: TrustInputs,
  rb: ResultBuilder,
  /** When the region timestamp says the licence was signed (null: no valid timestamp). */
  stampedAt: Date | null,
  /** SHA-256 of the root the signer's validated path ended at (null: no valid path). */
  anchorFingerprint: string | null,
  /** The verification time: trust data past its end (trustExpiresAt) vouches for nothing then. */
  at: Date,
): void {
  const identity = departmentIdentityOf(signer.leaf);
  if (!identity.uscc) {
    rb.fail('issuer', 'ISSUER_MISMATCH', 'the signer certificate carries no USCC');
    return;
  }
  if (identity.uscc !== record['certificateIssuingAuthorityCode']) {
    rb.fail('issuer', 'ISSUER_MISMATCH', 'the licence names another issuing authority than the signer certificate');
    return;
  }
  // Departments are looked up by (region, USCC): the region whose root the chain ends at, so no region can shadow another's.
  const region = anchorFingerprint ? trust.regionOfRoot?.(anchorFingerprint) : undefined;
  const dept = trust.lookupDepartment(identity.uscc, region);
  if (!dept) {
    rb.fail('issuer', 'ISSUER_UNKNOWN', region ? `region ${region}, whose root the signer's chain ends at, does not list this department` : 'the issuing department is not in the trust data');
    return;
  }
  rb.issuer = { uscc: dept.uscc, name: dept.name, regionCode: dept.regionCode };
  if (dept.trustExpiresAt && at > dept.trustExpiresAt) {
    rb.fail('issuer', 'TRUST_LIST_EXPIRED', `the trust list of region ${dept.regionCode} listing this department expired at ${dept.trustExpiresAt.toISOString()} (nextUpdate plus grace)`);
    return;
  }
  if (!dept.keyIds.has(signer.keyId)) {
    rb.fail('issuer', 'ISSUER_UNKNOWN', 'the signing key is not listed for this department');
    return;
  }
  if (dept.anchorFingerprint && anchorFingerprint && dept.anchorFingerprint !== anchorFingerprint) {
    rb.fail('issuer', 'ISSUER_UNKNOWN', "the signer's certificate chains to another region's root than the region that lists this department");
    return;
  }
  // The area the licence says it was issued for lies in the region that vouches for its issuer: a region speaks only for its own areas.
  const area = record['certificateAreaCode'];
  if (typeof area === 'string' && !divisionWithinRegion(area, dept.regionCode)) {
    rb.fail('issuer', 'ISSUER_AREA_OUTSIDE_REGION', `the licence names area ${area}, outside region ${dept.regionCode}, whose trust data lists the issuer`);
    return;
  }
  const typeCode = String(record['certificateTypeCode']);
  if (!dept.authorizedTypeCodes.has(typeCode)) {
    rb.fail('issuer', 'ISSUER_NOT_AUTHORIZED_FOR_TYPE', `${dept.name} may not issue type ${typeCode}`);
    return;
  }
  const grantedAt = dept.authorizedSince?.get(typeCode);
  if (grantedAt && stampedAt && stampedAt < grantedAt) {
    rb.fail('issuer', 'ISSUER_NOT_AUTHORIZED_FOR_TYPE', `${dept.name} was authorised for type ${typeCode} only from ${grantedAt.toISOString()}, after this licence was signed`);
    return;
  }
  if (dept.state !== 'active') {
    // Licences stamped before the state change keep the earlier state (docs/adr/0001, point 4).
    if (!(stampedAt && dept.stateSince && stampedAt < dept.stateSince)) {
      rb.fail('issuer', dept.state === 'suspended' ? 'ISSUER_SUSPENDED' : 'ISSUER_WITHDRAWN', `${dept.name} is ${dept.state}`);
      return;
    }
  }
  rb.pass('issuer');
}
