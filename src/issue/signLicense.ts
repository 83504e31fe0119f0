import type { Signer } from '../crypto/Signer';
import { signDetachedJws } from '../crypto/jws';
import { ElicenseError } from '../errors';
import { FULL_FORM_FORMAT, LICENSE_JWS_TYPE, type FullForm } from '../format/FullForm';
import { licenseSigningPayload } from '../format/signingInput';
import { createTimestamp } from '../format/timestamp';

export interface SigningKeys {
  /** The department's signer (software key or, later, an HSM). */
  department: Signer;
  /** The region time-stamping authority (docs/adr/0001). Omit only for tests of unstamped licences. */
  timestampAuthority?: Signer;
}

/**
 * Sign a prepared licence record: detached JWS over its canonical bytes with
 * the signing time in the protected header (`sigT`, as in ETSI JAdES), then
 * the region timestamp over the signature value.
 */
export async function signLicense(record: Record<string, unknown>, keys: SigningKeys, at: Date): Promise<FullForm> {
  const payload = licenseSigningPayload(record);
  const signature = await signDetachedJws(keys.department, payload, {
    typ: LICENSE_JWS_TYPE,
    sigT: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  const form: FullForm = { format: FULL_FORM_FORMAT, license: record, signature };
  if (keys.timestampAuthority) {
    // The signature bytes are the part after '..' of the detached form we just made.
    const signatureBytes = Buffer.from(signature.slice(signature.indexOf('..') + 2), 'base64url');
    const identifier = record['certificateIdentifier'];
    if (typeof identifier !== 'string') throw new ElicenseError('SCHEMA_INVALID', 'record has no certificateIdentifier');
    form.timestamp = await createTimestamp(keys.timestampAuthority, signatureBytes, identifier, at);
  }
  return form;
}
