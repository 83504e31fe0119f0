import { ElicenseError } from '../../errors';
import { DerReader, contents, decodeOid, readOidSequence, type DerElement } from './DerReader';
import { readGeneralName } from './GeneralName';

/**
 * Readers for the extension values path validation decodes (RFC 5280 4.2.1),
 * each over the whole extnValue contents, with the same strict DER walker as
 * the rest of the certificate: one element, definite minimal lengths, DEFAULT
 * values absent, no trailing bytes. Any defect is CERT_MALFORMED.
 */

function malformed(message: string): ElicenseError {
  return new ElicenseError('CERT_MALFORMED', message);
}

/** The one top-level element of an extension value, with a reader over its contents when it is a SEQUENCE. */
function single(der: Uint8Array, tag: number, what: string): { el: DerElement; r: DerReader } {
  const top = new DerReader(der);
  const el = top.read(tag, what);
  top.expectEnd(what);
  return { el, r: DerReader.inside(der, el) };
}

/** A non-negative INTEGER that fits in 31 bits, minimally encoded (pathLenConstraint, SkipCerts). */
export function smallNonNegative(c: Uint8Array, what: string): number {
  if (c.length === 0 || c.length > 4 || c[0]! & 0x80) throw malformed(`bad INTEGER in ${what}`);
  if (c.length > 1 && c[0] === 0 && !(c[1]! & 0x80)) throw malformed(`non-minimal INTEGER in ${what}`);
  let v = 0;
  for (const x of c) v = v * 256 + x;
  if (v > 0x7fffffff) throw malformed(`INTEGER too large in ${what}`);
  return v;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
export function readBasicConstraints(der: Uint8Array): { ca: boolean; pathLen: number | undefined } {
  const { r } = single(der, 0x30, 'basicConstraints');
  let ca = false;
  const b = r.readOptional(0x01, 'basicConstraints cA');
  if (b) {
    const v = contents(der, b);
    // DER: DEFAULT FALSE is omitted, TRUE is 0xff.
    if (v.length !== 1 || v[0] !== 0xff) throw malformed('bad cA flag in basicConstraints');
    ca = true;
  }
  const p = r.readOptional(0x02, 'pathLenConstraint');
  r.expectEnd('basicConstraints');
  return { ca, pathLen: p ? smallNonNegative(contents(der, p), 'pathLenConstraint') : undefined };
}

/**
 * KeyUsage ::= BIT STRING; named bit i is bit (7 - i % 8) of content byte
 * i / 8 after the unused-bits byte. Padding bits must be zero (DER).
 */
export function readKeyUsageBits(der: Uint8Array): (bit: number) => boolean {
  const { el } = single(der, 0x03, 'keyUsage');
  const c = contents(der, el);
  const unused = c[0];
  if (unused === undefined || unused > 7 || (c.length === 1 && unused !== 0)) throw malformed('bad BIT STRING in keyUsage');
  const bits = c.subarray(1);
  if (bits.length > 0 && bits[bits.length - 1]! & ((1 << unused) - 1)) throw malformed('non-zero padding bits in keyUsage');
  return (i) => i >> 3 < bits.length && (bits[i >> 3]! & (0x80 >> (i & 7))) !== 0;
}

/** SubjectKeyIdentifier ::= OCTET STRING, as its contents. */
export function readSubjectKeyIdentifier(der: Uint8Array): Uint8Array {
  return contents(der, single(der, 0x04, 'subjectKeyIdentifier').el);
}

/**
 * AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OCTET STRING OPTIONAL,
 * authorityCertIssuer [1] GeneralNames OPTIONAL, authorityCertSerialNumber [2] INTEGER OPTIONAL } (IMPLICIT tags).
 */
export function readAuthorityKeyIdentifier(der: Uint8Array): { keyId: Uint8Array | undefined; hasIssuer: boolean; hasSerial: boolean } {
  const { r } = single(der, 0x30, 'authorityKeyIdentifier');
  const keyId = r.readOptional(0x80, 'keyIdentifier');
  const issuer = r.readOptional(0xa1, 'authorityCertIssuer');
  const serial = r.readOptional(0x82, 'authorityCertSerialNumber');
  r.expectEnd('authorityKeyIdentifier');
  if (issuer) {
    const names = DerReader.inside(der, issuer);
    if (names.done) throw malformed('empty authorityCertIssuer');
    while (!names.done) readGeneralName(der, names);
  }
  if (serial && contents(der, serial).length === 0) throw malformed('empty authorityCertSerialNumber');
  return { keyId: keyId ? contents(der, keyId) : undefined, hasIssuer: issuer !== undefined, hasSerial: serial !== undefined };
}

/**
 * certificatePolicies ::= SEQUENCE OF PolicyInformation; PolicyInformation ::=
 * SEQUENCE { policyIdentifier OID, policyQualifiers SEQUENCE OF PolicyQualifierInfo OPTIONAL };
 * PolicyQualifierInfo ::= SEQUENCE { policyQualifierId OID, qualifier ANY }. The policy OIDs, in order.
 */
export function readCertificatePolicies(der: Uint8Array): string[] {
  const { r } = single(der, 0x30, 'certificatePolicies');
  while (!r.done) {
    const info = DerReader.inside(der, r.read(0x30, 'PolicyInformation'));
    info.read(0x06, 'policyIdentifier');
    const q = info.readOptional(0x30, 'policyQualifiers');
    info.expectEnd('PolicyInformation');
    if (!q) continue;
    const qualifiers = DerReader.inside(der, q);
    if (qualifiers.done) throw malformed('empty policyQualifiers');
    while (!qualifiers.done) {
      const qi = DerReader.inside(der, qualifiers.read(0x30, 'PolicyQualifierInfo'));
      qi.read(0x06, 'policyQualifierId');
      qi.read(undefined, 'qualifier');
      qi.expectEnd('PolicyQualifierInfo');
    }
  }
  return readOidSequence(der, 'certificatePolicies', true);
}

/** PolicyMappings ::= SEQUENCE OF SEQUENCE { issuerDomainPolicy OID, subjectDomainPolicy OID } */
export function readPolicyMappings(der: Uint8Array): { issuerDomainPolicy: string; subjectDomainPolicy: string }[] {
  const { r } = single(der, 0x30, 'policyMappings');
  const out: { issuerDomainPolicy: string; subjectDomainPolicy: string }[] = [];
  while (!r.done) {
    const m = DerReader.inside(der, r.read(0x30, 'PolicyMapping'));
    const issuerDomainPolicy = decodeOid(contents(der, m.read(0x06, 'issuerDomainPolicy')));
    const subjectDomainPolicy = decodeOid(contents(der, m.read(0x06, 'subjectDomainPolicy')));
    m.expectEnd('PolicyMapping');
    out.push({ issuerDomainPolicy, subjectDomainPolicy });
  }
  return out;
}

/** PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL, inhibitPolicyMapping [1] SkipCerts OPTIONAL } (IMPLICIT). */
export function readPolicyConstraints(der: Uint8Array): { requireExplicitPolicy: number | undefined; inhibitPolicyMapping: number | undefined } {
  const { r } = single(der, 0x30, 'policyConstraints');
  const rep = r.readOptional(0x80, 'requireExplicitPolicy');
  const ipm = r.readOptional(0x81, 'inhibitPolicyMapping');
  r.expectEnd('policyConstraints');
  return {
    requireExplicitPolicy: rep ? smallNonNegative(contents(der, rep), 'requireExplicitPolicy') : undefined,
    inhibitPolicyMapping: ipm ? smallNonNegative(contents(der, ipm), 'inhibitPolicyMapping') : undefined,
  };
}

/** InhibitAnyPolicy ::= SkipCerts ::= INTEGER (0..MAX) */
export function readInhibitAnyPolicy(der: Uint8Array): number {
  return smallNonNegative(contents(der, single(der, 0x02, 'inhibitAnyPolicy').el), 'inhibitAnyPolicy');
}
