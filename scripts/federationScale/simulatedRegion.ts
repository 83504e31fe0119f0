/**
 * One simulated region of the federation scale simulation: its CA ceremony
 * (configuration generated here), and the three kinds of signed documents
 * its node would publish — trust list, recognition agreement and status
 * lists — built the way FederationPublisher builds them and signed with the
 * region's trust-list signer.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../src/codes/uscc';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import type { RecognitionAgreement, RecognitionRule, StatusListDocument, TrustListDocument } from '../../src/format/federation/documentTypes';
import { signFederationDocument } from '../../src/trust/peer/federationDocument';
import { StatusBits, type LicenseStatusValue } from '../../src/format/federation/StatusBits';
import { firstStatusListId, trustListOfCeremony } from '../../src/trust/publish/buildTrustDocuments';
import { runCeremony, type RegionPki } from '../../src/pki/ca/ceremony';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { standardsDir } from '../../src/standards/standardsDir';

/** A signed document as a node serves it. */
export interface ServedDocument {
  body: string;
  /** Strong ETag, computed as the node computes it (federationFeature). */
  etag: string;
  sequence: number;
}

export interface SimulatedStatusList {
  listId: string;
  uscc: string;
  bits: StatusBits;
  sequence: number;
  doc: ServedDocument;
}

export interface SimulatedRegion {
  index: number;
  code: string;
  name: string;
  pki: RegionPki;
  rootSha256: string;
  trustListSigner: SoftwareSigner;
  trustList: ServedDocument;
  agreement: ServedDocument;
  statusLists: Map<string, SimulatedStatusList>;
}

/** Province-level divisions of the GB/T 2260 list in standards/codelists, in list order. */
export function provinceDivisions(): { code: string; name: string }[] {
  const data = JSON.parse(readFileSync(`${standardsDir()}/codelists/division-codes.json`, 'utf8')) as { divisions: [string, string][] };
  return data.divisions.filter(([code]) => code.endsWith('0000')).map(([code, name]) => ({ code, name }));
}

/**
 * A valid USCC (GB 32100) for simulated department `d` of region `r`:
 * registration authority 1 (机构编制), category 1 (机关), the region's
 * division code, a fictional organisation code DM<rr><dddd> with its GB 11714
 * check character, then the GB 32100 check character.
 */
export function simulatedUscc(divisionCode: string, r: number, d: number): string {
  const org8 = `DM${String(r).padStart(2, '0')}${String(d).padStart(4, '0')}`;
  const first17 = `11${divisionCode}${org8}${organizationCodeCheckCharacter(org8)}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}

/**
 * The ceremony configuration of a simulated region: root (ES256) → one
 * provincial intermediate CA → `departments` departments, plus the region's
 * trust-list signer and time-stamping authority. Every department may issue
 * `commonType` and one more type of the catalogue.
 */
export function simulatedCeremony(opts: { index: number; code: string; name: string; departments: number; commonType: string; otherTypes: readonly string[] }): unknown {
  const { code, name } = opts;
  const org = `${name}电子证照平台 (规模模拟)`;
  return {
    ceremonyVersion: 1,
    description: `Simulated region ${code} for scripts/federation-scale.ts (fictional departments).`,
    region: { name, code },
    root: { subject: { commonName: `${name}电子证照根CA (规模模拟)`, organization: org, province: name }, algorithm: 'ES256', validityYears: 30, pathLen: 1 },
    intermediates: [
      {
        id: 'provincial',
        name,
        divisionCode: code,
        issuer: 'root',
        subject: { commonName: `${name}电子证照CA (规模模拟)`, organization: org, province: name },
        algorithm: 'ES256',
        validityYears: 10,
        pathLen: 0,
      },
    ],
    trustListSigner: { subject: { commonName: `${name}信任列表签名 (规模模拟)`, organization: org }, algorithm: 'ES256', validityDays: 1095 },
    timestampAuthority: { subject: { commonName: `${name}时间戳服务 (规模模拟)`, organization: org }, algorithm: 'ES256', validityDays: 3650 },
    departments: Array.from({ length: opts.departments }, (_, d) => {
      const other = opts.otherTypes.length > 0 ? [opts.otherTypes[d % opts.otherTypes.length]!] : [];
      return {
        id: `dept-${d + 1}`,
        name: `${name}模拟部门${d + 1}`,
        uscc: simulatedUscc(code, opts.index, d + 1),
        divisionCode: code,
        issuer: 'provincial',
        algorithm: 'ES256',
        validityDays: 730,
        licenseTypes: [...new Set([opts.commonType, ...other])],
      };
    }),
  };
}


export function served(body: string, sequence: number): ServedDocument {
  return { body, sequence, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

/** The listId the issuing node gives a department's first list (LicenseStore.addList). */
export const listIdOf = firstStatusListId;

/** The trust list payload FederationPublisher.trustList() would build for this region. */
export function trustListPayload(pki: RegionPki, sequence: number, at: Date, validitySeconds: number, since: Date): TrustListDocument {
  return trustListOfCeremony(pki, { sequence, issuedAt: at, validitySeconds, since });
}

export async function signStatusList(region: SimulatedRegion, list: Omit<SimulatedStatusList, 'doc'>, at: Date, ttlSeconds: number): Promise<ServedDocument> {
  const doc: StatusListDocument = {
    format: 'elicense/status-list@1',
    region: { code: region.code, name: region.name },
    listId: list.listId,
    uscc: list.uscc,
    sequence: list.sequence,
    issuedAt: at.toISOString(),
    ttlSeconds,
    capacity: list.bits.capacity,
    bits: list.bits.compressed(),
  };
  return served(await signFederationDocument('status-list', doc, region.trustListSigner, region.pki.root.certificate.der), list.sequence);
}

export interface RegionBuildOptions {
  index: number;
  code: string;
  name: string;
  departments: number;
  /** Slots per department list (one list per department). */
  listCapacity: number;
  revokedShare: number;
  suspendedShare: number;
  commonType: string;
  otherTypes: readonly string[];
  /** Every region's agreement accepts `commonType` of these regions. */
  allRegionCodes: readonly string[];
  /** Slots whose status is set, not drawn (the licences used for verification): listId → [index, status]. */
  fixedSlots?: ReadonlyMap<string, ReadonlyArray<readonly [number, LicenseStatusValue]>>;
  random: () => number;
  ceremonyAt: Date;
  at: Date;
  ttlSeconds: number;
  trustListValiditySeconds: number;
}

/** Runs the region's ceremony and signs its trust list, agreement and status lists (sequence 1). */
export async function buildSimulatedRegion(o: RegionBuildOptions): Promise<SimulatedRegion> {
  const ceremony = simulatedCeremony(o);
  const pki = await runCeremony(ceremony, { now: o.ceremonyAt });
  const trustListSigner = new SoftwareSigner(pki.trustListSigner.privateKey, pki.trustListSigner.chain);
  const root = pki.root.certificate.der;
  const region: SimulatedRegion = {
    index: o.index,
    code: o.code,
    name: o.name,
    pki,
    rootSha256: parseCertificate(root).fingerprint,
    trustListSigner,
    trustList: served(await signFederationDocument('trust-list', trustListPayload(pki, 1, o.at, o.trustListValiditySeconds, o.ceremonyAt), trustListSigner, root), 1),
    agreement: served('', 1),
    statusLists: new Map(),
  };
  const rules: RecognitionRule[] = o.allRegionCodes
    .filter((c) => c !== o.code)
    .map((peerRegion) => ({ peerRegion, peerTypeCode: o.commonType, localTypeCode: o.commonType, conditions: { maxStatusAgeSeconds: 3600 } }))
    .sort((a, b) => (`${a.peerRegion}/${a.peerTypeCode}` < `${b.peerRegion}/${b.peerTypeCode}` ? -1 : 1));
  const agreement: RecognitionAgreement = { format: 'elicense/recognition-agreement@1', region: { code: o.code, name: o.name }, sequence: 1, issuedAt: o.at.toISOString(), accepts: rules };
  region.agreement = served(await signFederationDocument('recognition-agreement', agreement, trustListSigner, root), 1);

  // Status: ~revokedShare revoked and ~suspendedShare suspended, at random slots of the region's lists.
  const lists = pki.departments.map((d) => ({ listId: listIdOf(d.uscc), uscc: d.uscc, bits: StatusBits.empty(o.listCapacity), sequence: 1 }));
  markRandom(lists, Math.round(lists.length * o.listCapacity * o.revokedShare), 'revoked', o.random);
  markRandom(lists, Math.round(lists.length * o.listCapacity * o.suspendedShare), 'suspended', o.random);
  for (const l of lists) for (const [i, status] of o.fixedSlots?.get(l.listId) ?? []) l.bits.set(i, status);
  for (const l of lists) region.statusLists.set(l.listId, { ...l, doc: await signStatusList(region, l, o.at, o.ttlSeconds) });
  return region;
}

function markRandom(lists: { bits: StatusBits }[], count: number, status: 'revoked' | 'suspended', random: () => number): void {
  const capacity = lists[0]?.bits.capacity ?? 0;
  const total = lists.length * capacity;
  if (count > total / 2) throw new RangeError(`cannot mark ${count} of ${total} slots ${status}`);
  for (let done = 0; done < count; ) {
    const slot = Math.floor(random() * total);
    const bits = lists[Math.floor(slot / capacity)]!.bits;
    const index = slot % capacity;
    if (bits.get(index) !== 'valid') continue;
    bits.set(index, status);
    done++;
  }
}

/**
 * Changes the status of `count` random licences of the region (valid →
 * revoked or suspended, suspended → valid: reinstated), never touching the
 * protected slots, then re-signs every changed list with the next sequence
 * number, as the node does when a licence on a list changes status.
 * Returns the number of lists re-signed.
 */
export async function changeStatuses(
  region: SimulatedRegion,
  o: { count: number; random: () => number; protectedSlots?: ReadonlyMap<string, ReadonlyArray<readonly [number, LicenseStatusValue]>>; at: Date; ttlSeconds: number },
): Promise<number> {
  const lists = [...region.statusLists.values()];
  const capacity = lists[0]?.bits.capacity ?? 0;
  const total = lists.length * capacity;
  const changed = new Set<SimulatedStatusList>();
  for (let done = 0; done < o.count; ) {
    const slot = Math.floor(o.random() * total);
    const list = lists[Math.floor(slot / capacity)]!;
    const index = slot % capacity;
    if (o.protectedSlots?.get(list.listId)?.some(([i]) => i === index)) continue;
    const now = list.bits.get(index);
    if (now === 'revoked') continue; // revocation is final
    list.bits.set(index, now === 'suspended' ? 'valid' : o.random() < 0.8 ? 'revoked' : 'suspended');
    changed.add(list);
    done++;
  }
  for (const list of changed) {
    list.sequence += 1;
    list.doc = await signStatusList(region, list, o.at, o.ttlSeconds);
  }
  return changed.size;
}
