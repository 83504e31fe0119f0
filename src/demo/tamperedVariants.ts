import { createHmac } from 'node:crypto';
import { generateSerial } from '../codes/licenseIdentifier';
import { SoftwareSigner } from '../crypto/SoftwareSigner';
import { MAX_FULL_FORM_BYTES, type FullForm } from '../format/FullForm';
import { prepareLicenseRecord } from '../issue/prepareLicenseRecord';
import { signLicense } from '../issue/signLicense';
import { runCeremony } from '../pki/ca/ceremony';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { ReasonCode } from '../format/reasonCodes';
import { chinaCalendarDate } from '../chinaCalendarDate';
import { parseCertificate } from '../pki/certificate/ParsedCertificate';
import type { LicenseDraft } from '../issue/prepareLicenseRecord';
import type { DemoRegion } from './buildDemoRegion';

/** A bad input with the reason code a verifier must give for it. */
export interface TamperedVariant {
  name: string;
  description: string;
  bytes: Buffer;
  expected: ReasonCode;
  /** Verify as of this time instead of the demo time (certificate-expiry cases). */
  at?: string;
}

const DAY = 24 * 60 * 60 * 1000;
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, null, 2));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Rewrites the protected header of a full form's signature, keeping the signature bytes. */
function withHeader(form: FullForm, mutate: (h: Record<string, unknown>) => void, signature?: string): FullForm {
  const [head, , sig] = form.signature.split('.');
  const header = JSON.parse(Buffer.from(head!, 'base64url').toString('utf8')) as Record<string, unknown>;
  mutate(header);
  const out = clone(form);
  out.signature = `${Buffer.from(JSON.stringify(header)).toString('base64url')}..${signature ?? sig}`;
  return out;
}

/** The draft a signed record was made from (for re-issuing it under other conditions). */
function sampleDraftOf(form: FullForm): Omit<LicenseDraft, 'typeCode'> {
  const r = form.license;
  return {
    certificateNumber: String(r['certificateNumber']),
    holder: {
      name: String(r['certificateHolderName']),
      code: String(r['certificateHolderCode']),
      typeCode: String(r['certificateHolderTypeCode']),
      typeName: String(r['certificateHolderTypeName']),
    },
    effectiveDate: String(r['certificateEffectiveDate']),
    ...(typeof r['certificateExpiringDate'] === 'string' ? { expiringDate: r['certificateExpiringDate'] } : {}),
    extendInfo: clone(r['extendInfo'] as Record<string, unknown>),
  };
}

/**
 * Every kind of bad licence the foundation issue names, made from a real demo
 * licence: the demo writes them out and the tests verify each one.
 */
export async function tamperedVariants(demo: DemoRegion, catalog: StandardsCatalog, now: Date): Promise<TamperedVariant[]> {
  const [first, second] = demo.licenses;
  if (!first || !second) throw new Error('the demo region needs at least two licences');
  const base = first.form;
  const v: TamperedVariant[] = [];
  const add = (name: string, expected: ReasonCode, description: string, bytes: Buffer, at?: Date): void => {
    v.push({ name, expected, description, bytes, ...(at ? { at: at.toISOString() } : {}) });
  };

  // Unreadable input
  const text = JSON.stringify(base, null, 2);
  add('truncated', 'INPUT_MALFORMED', 'the file is cut off half way', Buffer.from(text.slice(0, Math.floor(text.length / 2))));
  add('not-json', 'INPUT_MALFORMED', 'braces around text that is not JSON', Buffer.from('{ this is not a licence }'));
  add('duplicate-key', 'JSON_DUPLICATE_KEY', 'the holder name appears twice; a parser could pick either',
    Buffer.from(text.replace('"certificateHolderName":', '"certificateHolderName": "冒名者",\n    "certificateHolderName":')));
  add('oversized', 'INPUT_TOO_LARGE', 'larger than any licence can be', json({ ...clone(base), padding: 'x'.repeat(2 * MAX_FULL_FORM_BYTES) }));
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = [deep];
  add('deep-nesting', 'JSON_TOO_DEEP', 'nested 40 levels deep', json({ ...clone(base), license: { ...base.license, extendInfo: { x: deep } } }));

  // Schema and codes
  const unknownField = clone(base);
  unknownField.license['certificateColour'] = 'red';
  add('unknown-envelope-field', 'ENVELOPE_SCHEMA_INVALID', 'a field the envelope standard does not define', json(unknownField));
  const wrongType = clone(base);
  wrongType.license['certificateName'] = 12345;
  add('wrong-type', 'ENVELOPE_SCHEMA_INVALID', 'certificateName is a number', json(wrongType));
  const faceViolation = clone(base);
  (faceViolation.license['extendInfo'] as Record<string, unknown>)['unexpectedFaceField'] = true;
  add('face-schema-violation', 'TYPE_SCHEMA_INVALID', 'face data breaks the type standard', json(faceViolation));
  const badCheck = clone(base);
  const id = String(badCheck.license['certificateIdentifier']);
  badCheck.license['certificateIdentifier'] = id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A');
  add('identifier-check-character', 'IDENTIFIER_CHECK_INVALID', 'wrong MOD 37,36 check character', json(badCheck));

  // Signatures
  const tampered = clone(base);
  tampered.license['certificateHolderName'] = '冒名者';
  add('tampered-holder', 'SIGNATURE_INVALID', 'holder name changed after signing', json(tampered));
  const moved = clone(second.form);
  moved.signature = base.signature;
  if (base.timestamp) moved.timestamp = base.timestamp;
  add('signature-moved', 'SIGNATURE_INVALID', "another licence's signature attached to this one", json(moved));
  add('alg-none', 'ALGORITHM_NOT_ALLOWED', 'alg "none" with an empty signature', json(withHeader(base, (h) => { h['alg'] = 'none'; }, '')));
  const hmacHeader = withHeader(base, (h) => { h['alg'] = 'HS256'; });
  const hmacHead = hmacHeader.signature.split('.')[0]!;
  const pubPem = first.department.publicKey.export({ type: 'spki', format: 'pem' });
  const hmac = createHmac('sha256', pubPem).update(`${hmacHead}.${Buffer.from(JSON.stringify(base.license)).toString('base64url')}`).digest('base64url');
  add('hmac-public-key', 'ALGORITHM_NOT_ALLOWED', 'HS256 keyed with the public key (key-confusion attack)', json(withHeader(base, (h) => { h['alg'] = 'HS256'; }, hmac)));
  add('alg-key-mismatch', 'ALGORITHM_KEY_MISMATCH', 'EdDSA claimed for a P-256 certificate', json(withHeader(base, (h) => { h['alg'] = 'EdDSA'; })));
  add('kid-mismatch', 'KEY_ID_MISMATCH', 'kid names another certificate', json(withHeader(base, (h) => { h['kid'] = 'AAAAAAAAAAA'; })));

  // Certificates and chains
  add('malformed-der', 'CERT_MALFORMED', 'the signer certificate is not DER',
    json(withHeader(base, (h) => { h['x5c'] = [Buffer.from('not a certificate').toString('base64')]; })));
  add('chain-of-50', 'CHAIN_TOO_LONG', 'x5c with 50 certificates',
    json(withHeader(base, (h) => { h['x5c'] = Array.from({ length: 50 }, () => (h['x5c'] as string[])[0]); })));
  // The same reviewed ceremony run again: identical names, different keys, a root nobody pinned.
  const rogue = await runCeremony(demo.ceremony, { now });
  const rogueDept = rogue.departments.find((d) => d.uscc === first.department.uscc)!;
  const rogueSigner = new SoftwareSigner(rogueDept.privateKey, [...rogueDept.chain, rogue.root.certificate.der]);
  const rogueForm = await signLicense(clone(base.license), { department: rogueSigner }, now);
  add('unpinned-root', 'CHAIN_UNTRUSTED', 'signed under a self-signed root that is not pinned (same names, other keys)', json(rogueForm));

  // Time
  const noStamp = clone(base);
  delete noStamp.timestamp;
  const afterExpiry = new Date(parseCertificate(first.department.certificate.der).notAfter.getTime() + 30 * DAY);
  add('cert-expired-no-timestamp', 'CERT_EXPIRED', 'verified after the department certificate expired, with the region timestamp removed',
    json(noStamp), afterExpiry);
  add('cert-not-yet-valid', 'CERT_NOT_YET_VALID', 'verified before the department certificate was issued', json(base), new Date(now.getTime() - 2 * DAY));

  // Issuer and validity
  const civil = demo.pki.departments.find((d) => !d.licenseTypes.includes(first.standard.typeCode))!;
  const unauthorised = prepareLicenseRecord(
    { typeCode: first.standard.typeCode, ...sampleDraftOf(base) },
    { catalog, issuer: civil, serial: generateSerial((n) => new Uint8Array(n).fill(7)), today: chinaCalendarDate(now) },
  );
  const unauthForm = await signLicense(unauthorised as unknown as Record<string, unknown>, { department: demo.signerOf(civil), timestampAuthority: demo.timestampAuthority }, now);
  add('type-not-authorized', 'ISSUER_NOT_AUTHORIZED_FOR_TYPE', `${civil.name} signs a ${first.standard.nameZh}`, json(unauthForm));
  const expiredRecord = prepareLicenseRecord(
    { typeCode: first.standard.typeCode, ...sampleDraftOf(base), effectiveDate: '2020-01-01', expiringDate: chinaCalendarDate(new Date(now.getTime() - 2 * DAY)) },
    { catalog, issuer: first.department, serial: generateSerial((n) => new Uint8Array(n).fill(9)), today: chinaCalendarDate(now) },
  );
  const expiredForm = await signLicense(expiredRecord as unknown as Record<string, unknown>, { department: demo.signerOf(first.department), timestampAuthority: demo.timestampAuthority }, now);
  add('licence-expired', 'LICENSE_EXPIRED', 'the licence validity period has ended', json(expiredForm));

  // Standards 1.1.0 (docs/adr/0010): photos bound by digest, several holders under the signature
  const withPhoto = demo.licenses.find((l) => l.form.attachments !== undefined);
  if (withPhoto) {
    const [field, photo] = Object.entries(withPhoto.form.attachments!)[0]!;
    const swapped = clone(withPhoto.form);
    const bytes = Buffer.from(photo.data, 'base64');
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    swapped.attachments![field] = { mediaType: photo.mediaType, data: bytes.toString('base64') };
    add('photo-swapped', 'PHOTO_MISMATCH', `the ${withPhoto.standard.nameZh} photo replaced after signing (one byte changed)`, json(swapped));
    const stripped = clone(withPhoto.form);
    delete stripped.attachments;
    add('photo-removed', 'PHOTO_MISSING', `the ${withPhoto.standard.nameZh} without the photo its signed face references`, json(stripped));
  }
  const coOwned = demo.licenses.find((l) => Array.isArray(l.form.license['certificateOtherHolders']));
  if (coOwned) {
    const alone = clone(coOwned.form);
    delete alone.license['certificateOtherHolders'];
    add('co-owner-removed', 'SIGNATURE_INVALID', `a co-owner struck from the ${coOwned.standard.nameZh} after signing`, json(alone));
  }
  const onEnvelope110 = demo.licenses.find((l) => l.form.license['envelopeVersion'] !== undefined);
  if (onEnvelope110) {
    const unversioned = clone(onEnvelope110.form);
    delete unversioned.license['envelopeVersion'];
    add('envelope-version-removed', 'ENVELOPE_SCHEMA_INVALID', 'a 1.1.0 record passed off as envelope 1.0.0', json(unversioned));
  }
  return v;
}
