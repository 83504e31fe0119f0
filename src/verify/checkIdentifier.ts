import { parseLicenseIdentifier } from '../codes/licenseIdentifier';
import type { ResultBuilder } from './ResultBuilder';

/** Step 3, identifier, of a full form: well formed, check character right, and its segments are the record's type and issuer. */
export function checkIdentifier(record: Record<string, unknown>, rb: ResultBuilder): void {
  const idResult = typeof record['certificateIdentifier'] === 'string' ? parseLicenseIdentifier(record['certificateIdentifier']) : null;
  if (!idResult) rb.fail('identifier', 'IDENTIFIER_MALFORMED', 'certificateIdentifier missing');
  else if (!idResult.ok) rb.fail('identifier', idResult.code, idResult.message);
  else if (idResult.value.typeCode !== record['certificateTypeCode'] || idResult.value.issuerCode !== record['certificateIssuingAuthorityCode']) {
    rb.fail('identifier', 'IDENTIFIER_MISMATCH', 'identifier segments do not match the record type code and issuer code');
  } else rb.pass('identifier');
}

/** Step 3, identifier, of a compact QR: decoding already checked its form and check character (the claims carry no separate codes to match). */
export function checkCompactIdentifier(rb: ResultBuilder): void {
  rb.pass('identifier');
}
