import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import type { KeyState, RegionRef, StatusListDocument, TrustListDocument } from '../../format/federation/documentTypes';
import { StatusBits, type LicenseStatusValue } from '../../format/federation/StatusBits';

const b64 = (der: Uint8Array): string => Buffer.from(der).toString('base64');

/** What a region knows of one department, in the terms of its trust list. */
export interface TrustListDepartmentInput {
  uscc: string;
  name: string;
  divisionCode: string;
  state: 'active' | 'suspended' | 'withdrawn';
  stateSince: Date | null;
  grants: readonly { typeCode: string; grantedAt: Date }[];
  /** Licence-signing certificates: DER, the issuing chain (leaf's issuer first, root excluded), state. */
  keys: readonly { certificate: Uint8Array; chain: readonly Uint8Array[]; state: KeyState; stateSince: Date }[];
}

/**
 * A trust list payload from a region's facts (the node's database, or a CA
 * ceremony for the demo). Key ids are computed from the certificates here,
 * never copied from elsewhere.
 */
export function buildTrustList(input: {
  region: RegionRef;
  sequence: number;
  issuedAt: Date;
  validitySeconds: number;
  rootCertificate: Uint8Array;
  timestampAuthorities: readonly { certificate: Uint8Array; state: KeyState; stateSince: Date }[];
  departments: readonly TrustListDepartmentInput[];
  statusLists: readonly { listId: string; uscc: string }[];
}): TrustListDocument {
  return {
    format: 'elicense/trust-list@1',
    region: { code: input.region.code, name: input.region.name },
    sequence: input.sequence,
    issuedAt: input.issuedAt.toISOString(),
    nextUpdate: new Date(input.issuedAt.getTime() + input.validitySeconds * 1000).toISOString(),
    rootCertificate: b64(input.rootCertificate),
    timestampAuthorities: input.timestampAuthorities.map((t) => ({
      keyId: keyIdForCertificate(t.certificate),
      certificate: b64(t.certificate),
      state: t.state,
      stateSince: t.stateSince.toISOString(),
    })),
    departments: [...input.departments]
      .sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0))
      .map((d) => ({
        uscc: d.uscc,
        name: d.name,
        divisionCode: d.divisionCode,
        state: d.state,
        stateSince: d.stateSince ? d.stateSince.toISOString() : null,
        authorizedTypes: d.grants.map((g) => ({ typeCode: g.typeCode, since: g.grantedAt.toISOString() })),
        certificates: d.keys.map((k) => ({
          keyId: keyIdForCertificate(k.certificate),
          certificate: b64(k.certificate),
          chain: k.chain.map(b64),
          state: k.state,
          stateSince: k.stateSince.toISOString(),
        })),
      })),
    statusLists: input.statusLists.map((l) => ({ listId: l.listId, uscc: l.uscc })),
  };
}

/** A status list payload: every slot below capacity reads valid unless listed otherwise. */
export function buildStatusList(input: {
  region: RegionRef;
  listId: string;
  uscc: string;
  sequence: number;
  issuedAt: Date;
  ttlSeconds: number;
  capacity: number;
  notValid: readonly { index: number; status: Exclude<LicenseStatusValue, 'valid'> }[];
}): StatusListDocument {
  const bits = StatusBits.empty(input.capacity);
  for (const e of input.notValid) bits.set(e.index, e.status);
  return {
    format: 'elicense/status-list@1',
    region: { code: input.region.code, name: input.region.name },
    listId: input.listId,
    uscc: input.uscc,
    sequence: input.sequence,
    issuedAt: input.issuedAt.toISOString(),
    ttlSeconds: input.ttlSeconds,
    capacity: input.capacity,
    bits: bits.compressed(),
  };
}

/**
 * The trust list of a region straight from its CA ceremony (demo bundles,
 * simulations): every department active since `since`, authorised for the
 * types the ceremony gave it, with its one certificate; one status list per
 * department named `<uscc>-1`, as the issuing node names its first list.
 */
export function trustListOfCeremony(
  pki: {
    region: RegionRef;
    root: { certificate: { der: Uint8Array } };
    timestampAuthority: { certificate: { der: Uint8Array } };
    departments: readonly { uscc: string; name: string; divisionCode: string; licenseTypes: readonly string[]; certificate: { der: Uint8Array }; chain: readonly Uint8Array[] }[];
  },
  opts: { sequence: number; issuedAt: Date; validitySeconds: number; since: Date },
): TrustListDocument {
  return buildTrustList({
    region: pki.region,
    sequence: opts.sequence,
    issuedAt: opts.issuedAt,
    validitySeconds: opts.validitySeconds,
    rootCertificate: pki.root.certificate.der,
    timestampAuthorities: [{ certificate: pki.timestampAuthority.certificate.der, state: 'active', stateSince: opts.since }],
    departments: pki.departments.map((d) => ({
      uscc: d.uscc,
      name: d.name,
      divisionCode: d.divisionCode,
      state: 'active',
      stateSince: opts.since,
      grants: [...d.licenseTypes].sort().map((typeCode) => ({ typeCode, grantedAt: opts.since })),
      // As the node stores a department key's chain: its issuing CA upwards, without the leaf (and the root).
      keys: [{ certificate: d.certificate.der, chain: d.chain.slice(1), state: 'active', stateSince: opts.since }],
    })),
    statusLists: [...pki.departments].map((d) => ({ listId: firstStatusListId(d.uscc), uscc: d.uscc })).sort((a, b) => (a.listId < b.listId ? -1 : 1)),
  });
}

/** The id the issuing node gives a department's first status list (LicenseStore.addList). */
export const firstStatusListId = (uscc: string): string => `${uscc}-1`;
