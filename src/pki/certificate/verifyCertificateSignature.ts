import { KeyObject, constants, verify } from 'node:crypto';
import { certificateKeyType } from './certificateKeyType';
import { ParsedCertificate } from './ParsedCertificate';
import { signatureSchemeFor } from './SignatureScheme';
import { verifySm2DerSignature } from './verifySm2DerSignature';

/** Result of checking one certificate's signature with a would-be issuer's key. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string; algorithmRefused: boolean };

/** Verifies `cert`'s signature with `issuerKey` using only allowed algorithms, matching the key type. */
export function verifyCertificateSignature(cert: ParsedCertificate, issuerKey: KeyObject): SignatureCheck {
  const scheme = signatureSchemeFor(cert.signatureAlgorithm);
  if (typeof scheme === 'string') return { ok: false, reason: scheme, algorithmRefused: true };
  const keyType = certificateKeyType(issuerKey);
  if (!scheme.keyTypes.includes(keyType)) {
    return { ok: false, reason: `${scheme.name} signature with a ${keyType} key`, algorithmRefused: true };
  }
  let ok = false;
  if (keyType === 'sm2') {
    ok = verifySm2DerSignature(issuerKey, cert.tbs, cert.signature);
  } else {
    const key =
      scheme.pssSaltLength !== undefined
        ? { key: issuerKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.pssSaltLength }
        : keyType === 'rsa'
          ? { key: issuerKey, padding: constants.RSA_PKCS1_PADDING }
          : issuerKey;
    try {
      ok = verify(scheme.hash, cert.tbs, key, cert.signature);
    } catch {
      ok = false;
    }
  }
  return ok ? { ok: true } : { ok: false, reason: 'signature does not verify', algorithmRefused: false };
}
