/**
 * DER encoders for the few extensions elicense certificates carry. Written
 * directly (not via @peculiar/x509) so our 2.25 placeholder OIDs encode
 * exactly and no global registry is touched; tests parse them back with
 * @peculiar/x509 and OpenSSL as independent checks.
 */
import {
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSmallInteger,
  encodeTlv,
} from './der/encodeDer';

const BOOLEAN_TRUE = Uint8Array.of(0x01, 0x01, 0xff);

export function encodeExtension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return encodeSequence(encodeOid(oid), ...(critical ? [BOOLEAN_TRUE] : []), encodeOctetString(value));
}

export function basicConstraintsExtension(ca: boolean, pathLen?: number): Uint8Array {
  const body = ca ? [BOOLEAN_TRUE, ...(pathLen === undefined ? [] : [encodeSmallInteger(pathLen)])] : [];
  // RFC 5280 4.2.1.9: critical in CA certificates; we mark it critical in all of ours.
  return encodeExtension('2.5.29.19', true, encodeSequence(...body));
}

export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

/** keyUsage, always critical; DER named-bit-list encoding drops trailing zero bits. */
export function keyUsageExtension(usages: readonly KeyUsageName[]): Uint8Array {
  let bits = 0;
  for (const u of usages) bits |= 0x80 >> KEY_USAGE_BITS[u];
  let unused = 0;
  while (unused < 7 && (bits & (1 << unused)) === 0) unused++;
  const bitString = encodeTlv(0x03, Uint8Array.of(unused, bits));
  return encodeExtension('2.5.29.15', true, bitString);
}

export function extendedKeyUsageExtension(oids: readonly string[], critical: boolean): Uint8Array {
  return encodeExtension('2.5.29.37', critical, encodeSequence(...oids.map(encodeOid)));
}

export function subjectKeyIdentifierExtension(keyId: Uint8Array): Uint8Array {
  return encodeExtension('2.5.29.14', false, encodeOctetString(keyId));
}

export function authorityKeyIdentifierExtension(keyId: Uint8Array): Uint8Array {
  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING, ... }
  return encodeExtension('2.5.29.35', false, encodeSequence(encodeTlv(0x80, keyId)));
}

/** certificatePolicies (RFC 5280 4.2.1.4), non-critical: PolicyInformation with the policy OID only, no qualifiers. */
export function certificatePoliciesExtension(oids: readonly string[]): Uint8Array {
  return encodeExtension('2.5.29.32', false, encodeSequence(...oids.map((oid) => encodeSequence(encodeOid(oid)))));
}

/** The policies extension of `options.policies`, or nothing when there are none. */
export function policyExtensions(policies: readonly string[] | undefined): Uint8Array[] {
  return policies && policies.length > 0 ? [certificatePoliciesExtension(policies)] : [];
}

export function extensionsField(extensions: readonly Uint8Array[]): Uint8Array {
  // [3] EXPLICIT Extensions
  return encodeTlv(0xa3, encodeSequence(...extensions));
}
