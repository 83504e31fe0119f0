import { isElicenseError } from '../../errors';
import type { FullForm } from '../../format/FullForm';
import { OID } from '../../pki/oids';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import { PathCache } from '../PathCache';
import type { ReasonCode } from '../../format/reasonCodes';
import { ResultBuilder } from '../ResultBuilder';
import type { TrustInputs } from '../../trust/TrustInputs';
import type { VerificationResult } from '../VerificationResult';
import { checkIssuer, checkRecognition, checkStatus, checkValidity, signerSummary, pathReason, verifyFullFormDocument, type VerifierCaches } from '../verifyLicense';
import { decodeCompactLicense, fullFormDigest, withFaceNames, type CompactClaims, type DecodedCompactLicense } from '../../forms/qr/compactLicense';
import { validateCompactClaims } from './validateCompactClaims';
import { verifyCoseSign1 } from './verifyCoseSign1';
import { COSE_ALGORITHMS, type CoseAlgorithmName } from '../../forms/qr/coseSign1';

const FORMAT_CODES: ReadonlySet<string> = new Set(['INPUT_TOO_LARGE', 'QR_PREFIX_INVALID', 'QR_ENCODING_INVALID', 'QR_DECOMPRESSION_LIMIT', 'COSE_MALFORMED', 'QR_NOT_CANONICAL']);

/** The QR claims under the record's field names, for display and for the shared checks. */
function recordOf(c: CompactClaims): Record<string, unknown> {
  return {
    certificateIdentifier: c.identifier,
    certificateTypeCode: c.typeCode,
    standardVersion: c.standardVersion,
    certificateIssuingAuthorityCode: c.issuerCode,
    certificateEffectiveDate: c.effectiveDate,
    ...(c.expiringDate !== undefined ? { certificateExpiringDate: c.expiringDate } : {}),
    certificateHolderName: c.holderName,
    extendInfo: c.face,
    ...(c.statusEntry ? { statusEntry: c.statusEntry } : {}),
  };
}

/**
 * Verify a compact QR licence (ADR 0003) against trust data at a time. Same
 * answer shape and check order as verifyLicense: the signer certificate comes
 * from the trust data by key id (the QR carries none), its path must reach a
 * pinned root now with the licence-signing EKU, and the issuer, validity and
 * status checks are the full form's own. With `fullForm`, that form is verified
 * too and the QR's digest must bind the two (FULL_FORM_MISMATCH).
 */
export function verifyCompactLicense(
  text: string,
  ctx: {
    trust: TrustInputs;
    catalog: StandardsCatalog;
    at: Date;
    fullForm?: FullForm;
    caches?: VerifierCaches;
    /** The same text already decoded (decodeCompactOnce), so that it is decoded once per request. */
    decoded?: () => DecodedCompactLicense;
  },
): VerificationResult {
  const { trust, catalog, at } = ctx;
  const rb = new ResultBuilder();
  let decoded: DecodedCompactLicense;
  try {
    const raw = ctx.decoded ? ctx.decoded() : decodeCompactLicense(text.trim());
    decoded = { cose: raw.cose, claims: withFaceNames(raw.claims, catalog.getType(raw.claims.typeCode, raw.claims.standardVersion)?.qrFields ?? []) };
  } catch (e) {
    if (isElicenseError(e) && FORMAT_CODES.has(e.code)) rb.fail('format', e.code as ReasonCode, e.message);
    else rb.fail('format', 'FORMAT_UNSUPPORTED', 'not a compact licence QR');
    return rb.build(trust, at);
  }
  rb.pass('format');
  const { cose, claims } = decoded;
  const record = recordOf(claims);
  rb.license = record;

  // 2. schema: a published type standard, and the QR's claims typed as the record's (its face data is the qrFields subset)
  const schema = validateCompactClaims(claims, catalog);
  if (schema.ok) rb.pass('schema');
  else rb.fail('schema', schema.code, schema.message);
  // 3. identifier: decoding already checked its form and check character
  rb.pass('identifier');

  // 4. signature, by key id from the trust data
  const keyId = Buffer.from(cose.kid).toString('base64url');
  const signer = trust.lookupSignerCertificate?.(keyId);
  if (!signer || !signer.certificate.publicKey) {
    rb.fail('signature', 'KEY_UNKNOWN', 'the QR is signed with a key the trust data does not list');
    rb.notChecked('chain', 'no signer certificate');
    rb.notChecked('issuer', 'signer unknown');
  } else {
    const algorithm = (Object.keys(COSE_ALGORITHMS) as CoseAlgorithmName[]).find((a) => COSE_ALGORITHMS[a] === cose.alg) ?? String(cose.alg);
    rb.signer = signerSummary({ leaf: signer.certificate, keyId, algorithm: algorithm as CoseAlgorithmName });
    const sig = verifyCoseSign1(cose, signer.certificate.publicKey);
    if (!sig.ok) rb.fail('signature', sig.code, sig.message);
    else rb.pass('signature');
    // 5. chain, at the verification time (a QR carries no region timestamp: ADR 0003)
    const path = (ctx.caches?.paths ?? new PathCache()).validate({
      leaf: signer.certificate,
      intermediates: signer.intermediates,
      anchors: trust.anchors,
      time: at,
      eku: OID.ekuLicenseSigning,
      leafKeyUsage: ['digitalSignature'],
    });
    if (path.ok) rb.pass('chain');
    else rb.fail('chain', pathReason(path.code), `${path.code}: ${path.message}`);
    // 6. issuer
    checkIssuer(record, { leaf: signer.certificate, keyId }, trust, rb, null, path.ok ? path.chain[path.chain.length - 1]!.fingerprint : null, at);
  }
  if (ctx.fullForm) {
    const full = verifyFullFormDocument(ctx.fullForm, { trust, catalog, at, ...(ctx.caches ? { caches: ctx.caches } : {}) });
    if (full.result !== 'accepted' || Buffer.compare(Buffer.from(fullFormDigest(ctx.fullForm)), Buffer.from(claims.fullFormDigest)) !== 0 ||
        ctx.fullForm.license['certificateIdentifier'] !== claims.identifier) {
      rb.fail('signature', 'FULL_FORM_MISMATCH', 'the full form presented with this QR is not the one it was made for, or does not verify');
    }
  }
  // 7. validity, 8. status, 9. recognition
  checkValidity(record, at, rb);
  checkStatus(record, trust, rb, at);
  checkRecognition(record, trust, rb);
  return rb.build(trust, at);
}
