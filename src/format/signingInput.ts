import { canonicalJson } from '../json/canonicalJson';

/**
 * The bytes the department signs: RFC 8785 canonical JSON of the licence
 * record. Any whitespace or key order in transit is irrelevant; any change of
 * a value is not.
 */
export function licenseSigningPayload(record: unknown): Buffer {
  return Buffer.from(canonicalJson(record), 'utf8');
}
