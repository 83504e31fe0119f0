import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import type { Department } from '../store/DepartmentStore';
import type { RegionRecord } from '../store/RegionStore';
import type { SigningKeyRecord } from '../store/SigningKeyStore';
import type { DepartmentTrust, TrustInputs } from './TrustInputs';

/** One department as this node knows it: the stored record plus the licence types it may issue. */
export interface NodeDepartment extends Department {
  typeCodes: ReadonlySet<string>;
}

/**
 * The rows a node's trust data is built from, at one trust version, as plain data (structured-clone safe:
 * it is what verifier threads are sent, ADR 0005): the region, its departments with their granted types,
 * and the public parts of its keys (never the sealed private keys).
 */
export interface NodeTrustRecords {
  version: number;
  region: RegionRecord | null;
  departments: Array<Department & { typeCodes: string[] }>;
  keys: Array<Pick<SigningKeyRecord, 'uscc' | 'purpose' | 'state' | 'certificate' | 'chain'>>;
}

/** The region's trust data as loaded at one trust version. */
export interface NodeTrustSnapshot {
  /** trust_version when loaded: bumped by the database on every change to departments, grants, keys, region. */
  version: number;
  region: RegionRecord | null;
  departments: ReadonlyMap<string, NodeDepartment>;
  /** Trust inputs for the region's own licences (no status source: callers add one per request). */
  trust: TrustInputs;
  /** When the version was last confirmed against the database. */
  checkedAt: Date;
  /** What `trust` was built from (for verifier threads, which build their own from it). */
  records: NodeTrustRecords;
}

/** The node's trust inputs from its rows: the same in the request thread and in a verifier thread. */
export function buildNodeSnapshot(records: NodeTrustRecords, now: Date): NodeTrustSnapshot {
  const { version, region } = records;
  const departments = new Map<string, NodeDepartment>(records.departments.map((d) => [d.uscc, { ...d, typeCodes: new Set(d.typeCodes) }]));
  const keys = new Map<string, NodeTrustRecords['keys']>();
  const regionKeys: NodeTrustRecords['keys'] = [];
  for (const k of records.keys) {
    if (k.uscc === null) regionKeys.push(k);
    else keys.set(k.uscc, [...(keys.get(k.uscc) ?? []), k]);
  }
  // Retired keys still vouch for what they signed; withdrawn keys do not.
  const usable = (k: { state: string }): boolean => k.state !== 'withdrawn';
  const anchors: ParsedCertificate[] = region ? [parseCertificate(region.rootCertificate)] : [];
  const trusted = new Map<string, DepartmentTrust>();
  for (const d of departments.values()) {
    trusted.set(d.uscc, {
      // This region's root: with peers' roots beside it, a signer or TSA under another root is not this region's.
      ...(anchors[0] ? { anchorFingerprint: anchors[0].fingerprint } : {}),
      uscc: d.uscc,
      name: d.name,
      regionCode: region?.code ?? '',
      authorizedTypeCodes: d.typeCodes,
      keyIds: new Set((keys.get(d.uscc) ?? []).filter((k) => k.purpose === 'licence_signing' && usable(k)).map((k) => keyIdForCertificate(k.certificate))),
      state: d.state,
      stateSince: d.stateSince,
    });
  }
  // Department certificates by key id, for forms that carry only the key id (the compact QR).
  const signerCertificates = new Map<string, { certificate: ParsedCertificate; intermediates: ParsedCertificate[] }>();
  for (const list of keys.values()) {
    for (const k of list) {
      if (k.purpose === 'licence_signing' && usable(k)) {
        signerCertificates.set(keyIdForCertificate(k.certificate), { certificate: parseCertificate(k.certificate), intermediates: k.chain.map((c) => parseCertificate(c)) });
      }
    }
  }
  const tsas = new Map<string, ParsedCertificate>();
  for (const k of regionKeys) {
    if (k.purpose === 'timestamping' && usable(k)) tsas.set(keyIdForCertificate(k.certificate), parseCertificate(k.certificate));
  }
  const snapshot: NodeTrustSnapshot = {
    version,
    region,
    departments,
    checkedAt: now,
    records,
    trust: {
      anchors,
      // Only this region's departments and authorities: asked for another region, there are none here.
      lookupDepartment: (uscc, regionCode) => (regionCode === undefined || regionCode === region?.code ? trusted.get(uscc) : undefined),
      lookupTimestampAuthority: (keyId, regionCode) => (regionCode === undefined || regionCode === region?.code ? tsas.get(keyId) : undefined),
      regionOfRoot: (fingerprint) => (region && anchors[0]?.fingerprint === fingerprint ? region.code : undefined),
      lookupSignerCertificate: (keyId) => signerCertificates.get(keyId),
      source: region ? `region ${region.code} (this node's database)` : "this node's database (no region set up)",
      asOf: now,
    },
  };
  // asOf follows the last confirmation, not the first load.
  Object.defineProperty(snapshot.trust, 'asOf', { get: () => snapshot.checkedAt, enumerable: true });
  return snapshot;
}
