import { verifyDetachedJws } from '../crypto/jws';
import { licenseSigningPayload } from '../format/signingInput';
import { MAX_CLOCK_SKEW_MS } from '../format/timestamp';
import { departmentIdentityOf } from '../pki/departmentIdentity';
import type { ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import { COSE_ALGORITHMS, type CoseAlgorithmName, type CoseSign1 } from '../forms/qr/coseSign1';
import type { TrustInputs } from '../trust/TrustInputs';
import type { ResultBuilder } from './ResultBuilder';
import type { SignerCache, SignerEntry, SignerLookup } from './SignerCache';
import type { VerificationResult } from './VerificationResult';
import { verifyCoseSign1 } from './forms/verifyCoseSign1';

export type FoundSigner = Extract<SignerLookup, { ok: true }>;

/**
 * Step 4, signature, of a full form: the detached JWS decodes, its signer
 * certificate is read from x5c (memoised), the signature covers the record's
 * signing payload, and sigT is neither in the future nor outside the signer
 * certificate's validity. Returns the signer when there is one to judge
 * further; null when there is none (the chain is then not checked either).
 */
export function checkFullFormSignature(jws: string, record: Record<string, unknown>, signers: SignerCache, at: Date, rb: ResultBuilder): FoundSigner | null {
  const lookup = signers.lookup(jws);
  if (!lookup.ok) {
    rb.fail(lookup.check, lookup.code, lookup.detail);
    if (lookup.check === 'chain') rb.notChecked('signature', 'the signer certificate could not be read');
    else rb.notChecked('chain', 'no signer certificate to validate');
    return null;
  }
  const signer = lookup.entry;
  rb.signer = signerSummary(signer);
  const sig = verifyDetachedJws(lookup.decoded, licenseSigningPayload(record), signer.publicKey);
  if (!sig.ok) rb.fail('signature', sig.code, sig.message);
  else if (lookup.signingTime.getTime() > at.getTime() + MAX_CLOCK_SKEW_MS) rb.fail('signature', 'SIGNING_TIME_INVALID', 'signed in the future');
  else if (lookup.signingTime < signer.leaf.notBefore || lookup.signingTime > signer.leaf.notAfter) {
    rb.fail('signature', 'SIGNING_TIME_INVALID', 'sigT is outside the signer certificate validity');
  } else rb.pass('signature');
  return lookup;
}

/**
 * Step 4, signature, of a compact QR: the signer certificate comes from the
 * trust data by key id (the QR carries none) and the COSE_Sign1 verifies with
 * it. Returns that certificate (and its intermediates); null when the trust
 * data does not list the key (the chain is then not checked either).
 */
export function checkCompactSignature(
  cose: CoseSign1,
  keyId: string,
  trust: TrustInputs,
  rb: ResultBuilder,
): { certificate: ParsedCertificate; intermediates: ParsedCertificate[] } | null {
  const signer = trust.lookupSignerCertificate?.(keyId);
  if (!signer || !signer.certificate.publicKey) {
    rb.fail('signature', 'KEY_UNKNOWN', 'the QR is signed with a key the trust data does not list');
    rb.notChecked('chain', 'no signer certificate');
    return null;
  }
  const algorithm = (Object.keys(COSE_ALGORITHMS) as CoseAlgorithmName[]).find((a) => COSE_ALGORITHMS[a] === cose.alg) ?? String(cose.alg);
  rb.signer = signerSummary({ leaf: signer.certificate, keyId, algorithm: algorithm as CoseAlgorithmName });
  const sig = verifyCoseSign1(cose, signer.certificate.publicKey);
  if (!sig.ok) rb.fail('signature', sig.code, sig.message);
  else rb.pass('signature');
  return signer;
}

type SignerSummary = NonNullable<VerificationResult['signer']>;

/** Summaries by certificate, then key id and algorithm: the same few signers sign every licence. */
const summaries = new WeakMap<ParsedCertificate, Map<string, SignerSummary>>();

/** The signer as shown in a result (no key material), for every licence form; a fresh object each call. */
export function signerSummary(s: Pick<SignerEntry, 'leaf' | 'keyId' | 'algorithm'>): SignerSummary {
  let byKey = summaries.get(s.leaf);
  if (!byKey) summaries.set(s.leaf, (byKey = new Map()));
  const key = `${s.keyId}|${s.algorithm}`;
  let summary = byKey.get(key);
  if (!summary) byKey.set(key, (summary = buildSignerSummary(s)));
  return { ...summary };
}

function buildSignerSummary(s: Pick<SignerEntry, 'leaf' | 'keyId' | 'algorithm'>): SignerSummary {
  const id = departmentIdentityOf(s.leaf);
  return {
    keyId: s.keyId,
    algorithm: s.algorithm,
    subject: s.leaf.subject.text,
    ...(id.uscc ? { uscc: id.uscc } : {}),
    ...(id.divisionCode ? { divisionCode: id.divisionCode } : {}),
    certificateSha256: s.leaf.fingerprint,
    notBefore: s.leaf.notBefore.toISOString(),
    notAfter: s.leaf.notAfter.toISOString(),
  };
}
