import { ElicenseError } from '../../errors';
import { readOidSequence } from './DerReader';
import {
  readAuthorityKeyIdentifier,
  readBasicConstraints,
  readCertificatePolicies,
  readInhibitAnyPolicy,
  readKeyUsageBits,
  readPolicyConstraints,
  readPolicyMappings,
  readSubjectKeyIdentifier,
} from './extensionValues';
import { GeneralName, parseGeneralNames } from './GeneralName';
import { NameConstraintsValue, parseNameConstraints } from './parseNameConstraints';

export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
} as const;

export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** Contents of the extnValue OCTET STRING. */
  readonly value: Uint8Array;
}

interface Flagged {
  readonly critical: boolean;
}

/** The decoded extensions path validation uses; each undefined when absent. */
export interface CertificateExtensions {
  basicConstraints?: Flagged & { ca: boolean; pathLen: number | undefined };
  keyUsage?: Flagged & { usages: ReadonlySet<KeyUsageName> };
  extKeyUsage?: Flagged & { oids: readonly string[] };
  subjectKeyId?: Flagged & { keyId: string };
  authorityKeyId?: Flagged & { keyId: string | undefined; hasIssuer: boolean; hasSerial: boolean };
  subjectAltName?: Flagged & { names: readonly GeneralName[] };
  nameConstraints?: Flagged & NameConstraintsValue;
  certificatePolicies?: Flagged & { policies: readonly string[] };
  policyMappings?: Flagged & { mappings: readonly { issuerDomainPolicy: string; subjectDomainPolicy: string }[] };
  policyConstraints?: Flagged & { requireExplicitPolicy: number | undefined; inhibitPolicyMapping: number | undefined };
  inhibitAnyPolicy?: Flagged & { skipCerts: number };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function decodeKeyUsage(value: Uint8Array): Set<KeyUsageName> {
  const bit = readKeyUsageBits(value);
  return new Set(KEY_USAGE_NAMES.filter((_, i) => bit(i)));
}

/** Decodes the extensions we understand; unknown ones stay in the raw list only. */
export function decodeExtensions(list: readonly CertificateExtension[]): CertificateExtensions {
  const out: CertificateExtensions = {};
  for (const { oid, critical, value } of list) {
    switch (oid) {
      case EXT.basicConstraints:
        out.basicConstraints = { critical, ...readBasicConstraints(value) };
        break;
      case EXT.keyUsage:
        out.keyUsage = { critical, usages: decodeKeyUsage(value) };
        break;
      case EXT.extKeyUsage: {
        const oids = readOidSequence(value, 'extKeyUsage', false);
        if (oids.length === 0) throw new ElicenseError('CERT_MALFORMED', 'empty extKeyUsage');
        out.extKeyUsage = { critical, oids };
        break;
      }
      case EXT.subjectKeyIdentifier:
        out.subjectKeyId = { critical, keyId: hex(readSubjectKeyIdentifier(value)) };
        break;
      case EXT.authorityKeyIdentifier: {
        const aki = readAuthorityKeyIdentifier(value);
        out.authorityKeyId = { critical, keyId: aki.keyId ? hex(aki.keyId) : undefined, hasIssuer: aki.hasIssuer, hasSerial: aki.hasSerial };
        break;
      }
      case EXT.subjectAltName:
        out.subjectAltName = { critical, names: parseGeneralNames(value, 'subjectAltName') };
        break;
      case EXT.nameConstraints:
        out.nameConstraints = { critical, ...parseNameConstraints(value) };
        break;
      case EXT.certificatePolicies: {
        const policies = readCertificatePolicies(value);
        if (new Set(policies).size !== policies.length) throw new ElicenseError('CERT_MALFORMED', 'duplicate certificate policy');
        out.certificatePolicies = { critical, policies };
        break;
      }
      case EXT.policyMappings:
        out.policyMappings = { critical, mappings: readPolicyMappings(value) };
        break;
      case EXT.policyConstraints:
        out.policyConstraints = { critical, ...readPolicyConstraints(value) };
        break;
      case EXT.inhibitAnyPolicy:
        out.inhibitAnyPolicy = { critical, skipCerts: readInhibitAnyPolicy(value) };
        break;
      default:
        break;
    }
  }
  return out;
}
