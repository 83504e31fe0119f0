import { verifyDetachedJws } from '../crypto/jws';
import { isElicenseError } from '../errors';
import { parseStrictJson } from '../json/parseStrictJson';
import { parseLicenseIdentifier } from '../codes/licenseIdentifier';
import { FULL_FORM_FORMAT, FULL_FORM_KEYS, MAX_FULL_FORM_BYTES } from '../format/FullForm';
import { licenseSigningPayload } from '../format/signingInput';
import { OID } from '../pki/oids';
import { departmentIdentityOf } from '../pki/departmentIdentity';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import { checkTimestamp } from './checkTimestamp';
import { MAX_CLOCK_SKEW_MS } from '../format/timestamp';
import { checkLicenseValidity } from './licenseValidity';
import { PathCache } from './PathCache';
import type { ReasonCode } from '../format/reasonCodes';
import { ResultBuilder } from './ResultBuilder';
import { SignerCache, type SignerEntry } from './SignerCache';
import type { TrustInputs } from '../trust/TrustInputs';
import type { VerificationResult } from './VerificationResult';

export interface VerifyContext {
  trust: TrustInputs;
  catalog: StandardsCatalog;
  /** The verification clock: everything is judged as of this instant. */
  at: Date;
  /** Memo of header decoding and path validation; pass one in to keep it warm across calls. */
  caches?: VerifierCaches;
}

export interface VerifierCaches {
  signers: SignerCache;
  paths: PathCache;
}

export function createVerifierCaches(): VerifierCaches {
  return { signers: new SignerCache(), paths: new PathCache() };
}

const FORMAT_CODES: ReadonlySet<string> = new Set(['INPUT_TOO_LARGE', 'INPUT_MALFORMED', 'JSON_DUPLICATE_KEY', 'JSON_TOO_DEEP']);

/**
 * Verify a full-form licence (bytes or text) against explicit trust inputs at
 * a given time. Pure apart from the optional memo: the answer is data, every
 * check of product.md 4.1 appears with its outcome, and checks whose trust
 * data does not exist yet (status, recognition) are reported as not checked.
 */
export function verifyLicense(input: string | Uint8Array, ctx: VerifyContext): VerificationResult {
  const rb = new ResultBuilder();
  let doc: unknown;
  try {
    doc = parseStrictJson(input, { maxBytes: MAX_FULL_FORM_BYTES, maxDepth: 16 });
  } catch (e) {
    if (isElicenseError(e) && FORMAT_CODES.has(e.code)) rb.fail('format', e.code as ReasonCode, e.message);
    else rb.fail('format', 'INPUT_MALFORMED', 'input is not readable JSON');
    return rb.build(ctx.trust, ctx.at);
  }
  return verifyFullFormDocument(doc, ctx, rb);
}

/** Verify an already-parsed document (the HTTP layer parses bodies itself with the same strict parser). */
export function verifyFullFormDocument(doc: unknown, ctx: VerifyContext, rb = new ResultBuilder()): VerificationResult {
  const caches = ctx.caches ?? createVerifierCaches();
  const { at, trust } = ctx;

  // 1. format
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    rb.fail('format', 'FORMAT_UNSUPPORTED', 'a full-form licence is a JSON object');
    return rb.build(trust, at);
  }
  const form = doc as Record<string, unknown>;
  for (const key of Object.keys(form)) {
    if (!FULL_FORM_KEYS.has(key)) {
      rb.fail('format', 'FORMAT_UNSUPPORTED', `unknown top-level field "${key}"`);
      return rb.build(trust, at);
    }
  }
  const license = form['license'];
  if (form['format'] !== FULL_FORM_FORMAT || license === null || typeof license !== 'object' || Array.isArray(license) ||
      typeof form['signature'] !== 'string' || (form['timestamp'] !== undefined && typeof form['timestamp'] !== 'string')) {
    rb.fail('format', 'FORMAT_UNSUPPORTED', `expected {format: "${FULL_FORM_FORMAT}", license: {...}, signature: "<jws>", timestamp?: "<jws>"}`);
    return rb.build(trust, at);
  }
  rb.pass('format');
  const record = license as Record<string, unknown>;
  rb.license = record;

  // 2. schema (envelope, type face data, codes)
  const schema = ctx.catalog.validateRecord(record);
  if (schema.ok) rb.pass('schema');
  else rb.fail('schema', schema.code, schema.errors.slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`).join('; '));
  for (const w of schema.warnings) rb.warn(w.code ?? 'CODE_WARNING');

  // 3. identifier
  const idResult = typeof record['certificateIdentifier'] === 'string' ? parseLicenseIdentifier(record['certificateIdentifier']) : null;
  if (!idResult) rb.fail('identifier', 'IDENTIFIER_MALFORMED', 'certificateIdentifier missing');
  else if (!idResult.ok) rb.fail('identifier', idResult.code, idResult.message);
  else if (idResult.value.typeCode !== record['certificateTypeCode'] || idResult.value.issuerCode !== record['certificateIssuingAuthorityCode']) {
    rb.fail('identifier', 'IDENTIFIER_MISMATCH', 'identifier segments do not match the record type code and issuer code');
  } else rb.pass('identifier');

  // 4. signature
  const lookup = caches.signers.lookup(form['signature'] as string);
  if (!lookup.ok) {
    rb.fail(lookup.check, lookup.code, lookup.detail);
    if (lookup.check === 'chain') rb.notChecked('signature', 'the signer certificate could not be read');
    else rb.notChecked('chain', 'no signer certificate to validate');
    rb.notChecked('issuer', 'signer unknown');
    checkValidity(record, at, rb);
    checkStatus(record, trust, rb, at);
    checkRecognition(record, trust, rb);
    return rb.build(trust, at);
  }
  const signer = lookup.entry;
  rb.signer = signerSummary(signer);
  const sig = verifyDetachedJws(lookup.decoded, licenseSigningPayload(record), signer.publicKey);
  if (!sig.ok) rb.fail('signature', sig.code, sig.message);
  else if (lookup.signingTime.getTime() > at.getTime() + MAX_CLOCK_SKEW_MS) rb.fail('signature', 'SIGNING_TIME_INVALID', 'signed in the future');
  else if (lookup.signingTime < signer.leaf.notBefore || lookup.signingTime > signer.leaf.notAfter) {
    rb.fail('signature', 'SIGNING_TIME_INVALID', 'sigT is outside the signer certificate validity');
  } else rb.pass('signature');

  // 5. chain: at the verification time, or at the region timestamp's time when the
  //    certificate has expired since (docs/adr/0001).
  const pathAt = (time: Date) =>
    caches.paths.validate({
      leaf: signer.leaf,
      intermediates: signer.intermediates,
      anchors: trust.anchors,
      time,
      eku: OID.ekuLicenseSigning,
      leafKeyUsage: ['digitalSignature'],
    });
  let path = pathAt(at);
  rb.signingTime = { value: at.toISOString(), source: 'verification-time' };
  // A present region timestamp is always checked against the signature it claims to cover, valid
  // certificate or not; it must come from the time-stamping authority of the issuer's region (the root
  // the chain ends at, when it is valid now).
  const issuerRoot = path.ok ? path.chain[path.chain.length - 1]!.fingerprint : undefined;
  let stamp: { time: Date; root: string } | null = null;
  if (typeof form['timestamp'] === 'string') {
    const ts = checkTimestamp(form['timestamp'], {
      signature: lookup.decoded.signature,
      identifier: record['certificateIdentifier'],
      signerTime: lookup.signingTime,
      trust,
      at,
      paths: caches.paths,
      issuerRegionRoot: issuerRoot,
      issuerRegion: issuerRoot ? trust.regionOfRoot?.(issuerRoot) : undefined,
    });
    if (ts.ok) stamp = { time: ts.time, root: ts.rootFingerprint };
    else rb.fail('signature', 'TIMESTAMP_INVALID', ts.detail);
  }
  if (!path.ok && path.code === 'CERT_EXPIRED' && at > signer.leaf.notAfter && stamp) {
    const dated = pathAt(stamp.time);
    const datedRoot = dated.ok ? dated.chain[dated.chain.length - 1]!.fingerprint : null;
    if (datedRoot !== null && datedRoot !== stamp.root) {
      rb.fail('signature', 'TIMESTAMP_INVALID', "timestamp made by another region's time-stamping authority than the issuer's");
    } else {
      path = dated;
      rb.signingTime = { value: stamp.time.toISOString(), source: 'timestamp' };
      if (path.ok) rb.warn('CERT_EXPIRED_AFTER_SIGNING');
    }
  }
  if (path.ok) rb.pass('chain');
  else rb.fail('chain', pathReason(path.code), `${path.code}: ${path.message}`);

  // 6. issuer: the signer is the department named in the record, listed, authorised for the type
  checkIssuer(record, signer, trust, rb, stamp?.time ?? null, path.ok ? path.chain[path.chain.length - 1]!.fingerprint : null, at);

  // 7. licence validity period
  checkValidity(record, at, rb);
  // 8. status, 9. recognition
  checkStatus(record, trust, rb, at);
  checkRecognition(record, trust, rb);
  return rb.build(trust, at);
}

/** Step 8, shared with the other licence forms. */
export function checkStatus(record: Record<string, unknown>, trust: TrustInputs, rb: ResultBuilder, at: Date): void {
  const identifier = record['certificateIdentifier'];
  const issuerCode = record['certificateIssuingAuthorityCode'];
  const typeCode = record['certificateTypeCode'];
  if (!trust.statusOf || typeof identifier !== 'string' || typeof issuerCode !== 'string' || typeof typeCode !== 'string') {
    rb.notChecked('status', 'no status data for this issuer');
    rb.warn('STATUS_NOT_CHECKED');
    return;
  }
  const entry = record['statusEntry'] as { listId: string; index: number } | undefined;
  const region = rb.issuer?.regionCode;
  const answer = trust.statusOf({ identifier, issuerCode, typeCode, ...(entry ? { statusEntry: entry } : {}), ...(region ? { issuerRegion: region } : {}) }, at);
  switch (answer.kind) {
    case 'not_covered':
      rb.notChecked('status', 'no status data for this issuer');
      rb.warn('STATUS_NOT_CHECKED');
      return;
    case 'unknown':
      rb.fail('status', 'STATUS_UNKNOWN', `${answer.source} does not know this licence`);
      return;
    case 'stale':
      rb.status = { value: answer.status, asOf: answer.asOf.toISOString(), source: answer.source };
      rb.fail('status', 'STATUS_STALE', answer.detail);
      if (answer.status === 'revoked') rb.fail('status', 'LICENSE_REVOKED', 'revoked (as of the last status data)');
      else if (answer.status === 'suspended') rb.fail('status', 'LICENSE_SUSPENDED', 'suspended (as of the last status data)');
      return;
    case 'status': {
      rb.status = { value: answer.status, asOf: answer.asOf.toISOString(), source: answer.source };
      const why = answer.reason ? `: ${answer.reason}` : '';
      if (answer.status === 'revoked') rb.fail('status', 'LICENSE_REVOKED', `revoked${answer.since ? ` since ${answer.since.toISOString()}` : ''}${why}`);
      else if (answer.status === 'suspended') rb.fail('status', 'LICENSE_SUSPENDED', `suspended${answer.since ? ` since ${answer.since.toISOString()}` : ''}${why}`);
      else rb.pass('status', `valid as of ${answer.asOf.toISOString()} (${answer.source})`);
    }
  }
}

/** Step 9, shared with the other licence forms: recognised under the verifying region's agreement, as which local type. */
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

/** Step 6, shared with the other licence forms: the signer is the named, listed department, authorised for the type. */
export function checkIssuer(
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

/** Step 7, shared with the other licence forms. */
export function checkValidity(record: Record<string, unknown>, at: Date, rb: ResultBuilder): void {
  const effective = record['certificateEffectiveDate'];
  const expiring = record['certificateExpiringDate'];
  if (typeof effective !== 'string' || (expiring !== undefined && typeof expiring !== 'string')) {
    rb.notChecked('validity', 'validity dates unreadable (see the schema check)');
    return;
  }
  const v = checkLicenseValidity(effective, expiring as string | undefined, at);
  if (v.ok) rb.pass('validity');
  else rb.fail('validity', v.code, v.detail);
}

const PATH_REASONS: Record<string, ReasonCode> = {
  CERT_MALFORMED: 'CERT_MALFORMED',
  CHAIN_UNTRUSTED: 'CHAIN_UNTRUSTED',
  // A link that does not verify means no trustworthy path to a pinned root exists.
  CHAIN_SIGNATURE_INVALID: 'CHAIN_UNTRUSTED',
  CERT_EXPIRED: 'CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'CERT_NOT_YET_VALID',
  CHAIN_TOO_LONG: 'CHAIN_TOO_LONG',
  KEY_USAGE_NOT_ALLOWED: 'CERT_NOT_AUTHORIZED',
  EKU_NOT_ALLOWED: 'CERT_NOT_AUTHORIZED',
  CA_USED_AS_END_ENTITY: 'CERT_NOT_AUTHORIZED',
  PATH_BUILDING_LIMIT: 'CHAIN_TOO_LONG',
};

export function pathReason(code: string): ReasonCode {
  return PATH_REASONS[code] ?? 'CHAIN_INVALID';
}

/** The signer as shown in a result (no key material), for every licence form. */
export function signerSummary(s: Pick<SignerEntry, 'leaf' | 'keyId' | 'algorithm'>): NonNullable<VerificationResult['signer']> {
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
