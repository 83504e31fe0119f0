import type { TrustInputs } from '../trust/TrustInputs';
import type { ResultBuilder } from './ResultBuilder';

/**
 * Step 9, recognition, for every licence form: recognised under the verifying
 * region's agreement, and as which local type. Also attaches the freshness of
 * the trust data about the issuing region to the result.
 */
export function checkRecognition(record: Record<string, unknown>, trust: TrustInputs, rb: ResultBuilder): void {
  const issuer = record['certificateIssuingAuthorityCode'];
  const typeCode = record['certificateTypeCode'];
  // The region the issuer check established (the chain's root), else the only region listing the issuer.
  const dept = typeof issuer === 'string' ? trust.lookupDepartment(issuer, rb.issuer?.regionCode || undefined) : undefined;
  if (dept && trust.freshnessOf) rb.trustDetails = trust.freshnessOf(dept.regionCode);
  if (!trust.recognize) {
    rb.notChecked('recognition', 'no recognition agreement configured');
    rb.warn('RECOGNITION_NOT_CHECKED');
    return;
  }
  if (!dept || typeof typeCode !== 'string') {
    rb.notChecked('recognition', 'the issuing region is not known, so recognition cannot be judged');
    return;
  }
  const answer = trust.recognize(dept.regionCode, typeCode);
  if (answer.recognized) {
    rb.recognizedLocalType = answer.localTypeCode;
    rb.pass('recognition', `recognised as local type ${answer.localTypeCode} (${answer.basis})`);
  } else rb.fail('recognition', 'TYPE_NOT_RECOGNIZED', answer.detail);
}
