import type { KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from '../../crypto/algorithms';
import { softwareKeySigner } from '../../crypto/softwareKeySigner';
import type { CertificateAuthority } from './certificateAuthority';
import type { CeremonyIntermediateConfig, CeremonySubject } from './ceremonyConfig';
import { ROOT_CA_ID } from './ceremonyConfig';
import { OID } from '../oids';
import { ceremonyRecordEntry, type CeremonyRecord, type CeremonyRecordEntry } from './ceremonyRecord';
import type { IssueOptions } from './certificateValidity';
import { generateKeyPair, type GenerateKey } from './generateKeyPair';
import type { IssuedCertificate } from './issueCertificate';
import { issueDepartmentCertificate } from './issueDepartmentCertificate';
import { issueIntermediateCa } from './issueIntermediateCa';
import { issueRootCa } from './issueRootCa';
import { issueTimestampingCertificate, issueTrustListSigningCertificate } from './issueServiceCertificate';
import { parseCeremonyConfig, type ParseCeremonyOptions } from './parseCeremonyConfig';
import type { RandomBytes } from './serialNumber';
import type { SubjectFields } from './subjectName';

export interface CeremonyOptions extends ParseCeremonyOptions {
  now: Date;
  /** A demo region whatever the config says (the node's demo bootstrap): every certificate carries the demo-region policy. */
  demo?: boolean;
  /** Key generation (software keys by default; an HSM-backed generator can be passed). */
  generateKey?: GenerateKey;
  randomBytes?: RandomBytes;
}

/** One key with its certificate. */
export interface CertifiedKey {
  id: string;
  algorithm: JwsAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificate: IssuedCertificate;
  /** Certificates from this one up to, not including, the root (DER): what goes in x5c. */
  chain: Uint8Array[];
}

export interface CertifiedIntermediate extends CertifiedKey {
  issuerId: string;
  name: string;
  divisionCode: string;
}

export interface CertifiedDepartment extends CertifiedKey {
  issuerId: string;
  name: string;
  uscc: string;
  divisionCode: string;
  licenseTypes: string[];
}

export interface RegionPki {
  /** `demo`: a demo region (its certificates carry the demo-region policy). */
  region: { name: string; code: string; demo?: boolean };
  root: CertifiedKey;
  intermediates: CertifiedIntermediate[];
  trustListSigner: CertifiedKey;
  timestampAuthority: CertifiedKey;
  departments: CertifiedDepartment[];
  record: CeremonyRecord;
}

const caSubject = (s: CeremonySubject, divisionCode: string): SubjectFields => ({ country: 'CN', ...s, divisionCode });

/**
 * Runs a region's CA ceremony from one reviewed config: validate everything
 * first, then generate keys and issue root → intermediates → trust-list
 * signer and TSA (under the root) → departments. Returns every key and
 * certificate plus a key-free record for the operator to review.
 */
export async function runCeremony(input: unknown, options: CeremonyOptions): Promise<RegionPki> {
  const { config, warnings } = parseCeremonyConfig(input, options);
  const generateKey = options.generateKey ?? generateKeyPair;
  // A demo region's root and every certificate the ceremony issues carry the demo-region policy (docs/adr/0002):
  // verifiers derive "demo" from it, never from names.
  const demo = options.demo === true || config.region.demo === true;
  const issue: IssueOptions = { now: options.now, randomBytes: options.randomBytes, ...(demo ? { policies: [OID.policyDemoRegion] } : {}) };
  const entries: CeremonyRecordEntry[] = [];

  const certify = async (id: string, algorithm: JwsAlgorithm, make: (publicKey: KeyObject, privateKey: KeyObject) => Promise<IssuedCertificate>, parentChain: Uint8Array[]): Promise<CertifiedKey> => {
    const { privateKey, publicKey } = await generateKey(algorithm);
    const certificate = await make(publicKey, privateKey);
    return { id, algorithm, privateKey, publicKey, certificate, chain: [certificate.der, ...parentChain] };
  };

  const rootAlg = config.root.algorithm ?? 'ES256';
  const root = await certify(ROOT_CA_ID, rootAlg, (publicKey, privateKey) =>
    issueRootCa(
      { subject: caSubject(config.root.subject, config.region.code), publicKey, validityYears: config.root.validityYears, pathLen: config.root.pathLen },
      softwareKeySigner(privateKey),
      issue,
    ), []);
  root.chain = []; // the root is the trust anchor, never sent in a chain
  entries.push(ceremonyRecordEntry(root.certificate.der, { role: 'root', id: ROOT_CA_ID, algorithm: rootAlg, divisionCode: config.region.code }));

  const authorities = new Map<string, { ca: CertificateAuthority; chain: Uint8Array[] }>([
    [ROOT_CA_ID, { ca: { certificate: root.certificate.der, signer: softwareKeySigner(root.privateKey) }, chain: [] }],
  ]);
  const authority = (id: string): { ca: CertificateAuthority; chain: Uint8Array[] } => authorities.get(id)!; // references checked by parseCeremonyConfig

  const intermediates: CertifiedIntermediate[] = [];
  for (const ic of config.intermediates ?? ([] as CeremonyIntermediateConfig[])) {
    const parent = authority(ic.issuer);
    const algorithm = ic.algorithm ?? 'ES256';
    const key = await certify(ic.id, algorithm, (publicKey) =>
      issueIntermediateCa(parent.ca, { subject: caSubject(ic.subject, ic.divisionCode), publicKey, validityYears: ic.validityYears, pathLen: ic.pathLen }, issue),
      parent.chain);
    authorities.set(ic.id, { ca: { certificate: key.certificate.der, signer: softwareKeySigner(key.privateKey) }, chain: key.chain });
    intermediates.push({ ...key, issuerId: ic.issuer, name: ic.name, divisionCode: ic.divisionCode });
    entries.push(ceremonyRecordEntry(key.certificate.der, { role: 'intermediate', id: ic.id, issuerId: ic.issuer, algorithm, divisionCode: ic.divisionCode }));
  }

  const rootCa = authority(ROOT_CA_ID).ca;
  const tlsAlg = config.trustListSigner.algorithm ?? 'ES256';
  const trustListSigner = await certify('trust-list-signer', tlsAlg, (publicKey) =>
    issueTrustListSigningCertificate(rootCa, { subject: caSubject(config.trustListSigner.subject, config.region.code), publicKey, validityDays: config.trustListSigner.validityDays }, issue), []);
  entries.push(ceremonyRecordEntry(trustListSigner.certificate.der, { role: 'trustListSigner', id: trustListSigner.id, issuerId: ROOT_CA_ID, algorithm: tlsAlg }));

  const tsaAlg = config.timestampAuthority.algorithm ?? 'ES256';
  const timestampAuthority = await certify('timestamp-authority', tsaAlg, (publicKey) =>
    issueTimestampingCertificate(rootCa, { subject: caSubject(config.timestampAuthority.subject, config.region.code), publicKey, validityDays: config.timestampAuthority.validityDays }, issue), []);
  entries.push(ceremonyRecordEntry(timestampAuthority.certificate.der, { role: 'timestampAuthority', id: timestampAuthority.id, issuerId: ROOT_CA_ID, algorithm: tsaAlg }));

  const departments: CertifiedDepartment[] = [];
  for (const d of config.departments) {
    const parent = authority(d.issuer);
    const algorithm = d.algorithm ?? 'ES256';
    const department = { name: d.name, uscc: d.uscc, divisionCode: d.divisionCode, ...(d.label ? { label: d.label } : {}) };
    const key = await certify(d.id, algorithm, (publicKey) =>
      issueDepartmentCertificate(parent.ca, { department, publicKey, validityDays: d.validityDays }, issue), parent.chain);
    departments.push({ ...key, issuerId: d.issuer, name: d.name, uscc: d.uscc, divisionCode: d.divisionCode, licenseTypes: [...d.licenseTypes] });
    entries.push(ceremonyRecordEntry(key.certificate.der, {
      role: 'department', id: d.id, issuerId: d.issuer, algorithm, uscc: d.uscc, divisionCode: d.divisionCode, licenseTypes: [...d.licenseTypes],
    }));
  }

  const region = { name: config.region.name, code: config.region.code, ...(demo ? { demo: true } : {}) };
  return {
    region,
    root,
    intermediates,
    trustListSigner,
    timestampAuthority,
    departments,
    record: { ceremonyVersion: 1, region, performedAt: options.now.toISOString(), warnings, certificates: entries },
  };
}
