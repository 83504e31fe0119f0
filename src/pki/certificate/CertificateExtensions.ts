import { AsnParser } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  CertificatePolicies,
  InhibitAnyPolicy,
  KeyUsage,
  PolicyConstraints,
  PolicyMappings,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { ElicenseError } from '../../errors';
import { DerReader, readOidSequence } from './DerReader';
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

function hex(b: ArrayBuffer | Uint8Array): string {
  return Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');
}

function smallInt(b: ArrayBuffer): number {
  const u = new Uint8Array(b);
  if (u.length === 0 || u.length > 4 || u[0]! & 0x80) throw new ElicenseError('CERT_MALFORMED', 'bad INTEGER in extension');
  let v = 0;
  for (const x of u) v = v * 256 + x;
  return v;
}

/** Checks that `value` is exactly one well-formed DER element before handing it to asn1-schema (which reads BER). */
function strictParse<T>(value: Uint8Array, type: new () => T, what: string): T {
  const r = new DerReader(value);
  r.read(undefined, what);
  r.expectEnd(what);
  try {
    return AsnParser.parse(value, type);
  } catch (e) {
    throw new ElicenseError('CERT_MALFORMED', `undecodable ${what}`, undefined, { cause: e });
  }
}

function decodeKeyUsage(value: Uint8Array): Set<KeyUsageName> {
  const ku = strictParse(value, KeyUsage, 'keyUsage');
  const flags = ku.toNumber();
  const usages = new Set<KeyUsageName>();
  KEY_USAGE_NAMES.forEach((name, i) => {
    if (flags & (1 << i)) usages.add(name);
  });
  return usages;
}

/** Decodes the extensions we understand; unknown ones stay in the raw list only. */
export function decodeExtensions(list: readonly CertificateExtension[]): CertificateExtensions {
  const out: CertificateExtensions = {};
  for (const { oid, critical, value } of list) {
    switch (oid) {
      case EXT.basicConstraints: {
        const bc = strictParse(value, BasicConstraints, 'basicConstraints');
        out.basicConstraints = { critical, ca: bc.cA, pathLen: bc.pathLenConstraint };
        break;
      }
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
        out.subjectKeyId = { critical, keyId: hex(strictParse(value, SubjectKeyIdentifier, 'subjectKeyIdentifier').buffer) };
        break;
      case EXT.authorityKeyIdentifier: {
        const aki = strictParse(value, AuthorityKeyIdentifier, 'authorityKeyIdentifier');
        out.authorityKeyId = {
          critical,
          keyId: aki.keyIdentifier ? hex(aki.keyIdentifier.buffer) : undefined,
          hasIssuer: aki.authorityCertIssuer !== undefined,
          hasSerial: aki.authorityCertSerialNumber !== undefined,
        };
        break;
      }
      case EXT.subjectAltName:
        out.subjectAltName = { critical, names: parseGeneralNames(value, 'subjectAltName') };
        break;
      case EXT.nameConstraints:
        out.nameConstraints = { critical, ...parseNameConstraints(value) };
        break;
      case EXT.certificatePolicies: {
        strictParse(value, CertificatePolicies, 'certificatePolicies'); // structure check; OIDs read below
        const policies = readOidSequence(value, 'certificatePolicies', true);
        if (new Set(policies).size !== policies.length) throw new ElicenseError('CERT_MALFORMED', 'duplicate certificate policy');
        out.certificatePolicies = { critical, policies };
        break;
      }
      case EXT.policyMappings:
        out.policyMappings = {
          critical,
          mappings: [...strictParse(value, PolicyMappings, 'policyMappings')].map((m) => ({
            issuerDomainPolicy: m.issuerDomainPolicy,
            subjectDomainPolicy: m.subjectDomainPolicy,
          })),
        };
        break;
      case EXT.policyConstraints: {
        const pc = strictParse(value, PolicyConstraints, 'policyConstraints');
        out.policyConstraints = {
          critical,
          requireExplicitPolicy: pc.requireExplicitPolicy ? smallInt(pc.requireExplicitPolicy) : undefined,
          inhibitPolicyMapping: pc.inhibitPolicyMapping ? smallInt(pc.inhibitPolicyMapping) : undefined,
        };
        break;
      }
      case EXT.inhibitAnyPolicy:
        out.inhibitAnyPolicy = { critical, skipCerts: smallInt(strictParse(value, InhibitAnyPolicy, 'inhibitAnyPolicy').value) };
        break;
      default:
        break;
    }
  }
  return out;
}
