import { ParsedCertificate } from '../certificate/ParsedCertificate';
import { SignatureCheck, verifyCertificateSignature } from '../certificate/verifyCertificateSignature';

const LIMIT = 10_000;
/** (child fingerprint, issuer fingerprint) -> outcome. The DER of both fixes the answer, so it never goes stale. */
const cache = new Map<string, SignatureCheck>();

/** Verifies `child` with `issuer`'s key, remembering the outcome. `fresh` is true when real work was done. */
export function checkSignatureCached(child: ParsedCertificate, issuer: ParsedCertificate): { check: SignatureCheck; fresh: boolean } {
  const key = child.fingerprint + issuer.fingerprint;
  const hit = cache.get(key);
  if (hit) return { check: hit, fresh: false };
  const check: SignatureCheck = issuer.publicKey
    ? verifyCertificateSignature(child, issuer.publicKey)
    : { ok: false, reason: issuer.publicKeyProblem ?? 'issuer key refused', algorithmRefused: true };
  if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, check);
  return { check, fresh: true };
}
