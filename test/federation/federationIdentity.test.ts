/**
 * Federation identity (issue 10, items 1-3): a peer's region is part of its
 * pinning, no peer can shadow another region's departments or time-stamping
 * authorities, and a trust list past its nextUpdate plus the grace accepts no
 * licence. Real ceremonies, real licences, real signed trust lists; the node
 * path is in federationSync.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSerial } from '../../src/codes/licenseIdentifier';
import { chinaCalendarDate } from '../../src/chinaCalendarDate';
import { keyIdForCertificate } from '../../src/crypto/keyIdForCertificate';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { buildStatusList, firstStatusListId, trustListOfCeremony } from '../../src/trust/publish/buildTrustDocuments';
import { trustFromBundle } from '../../src/trust/peer/bundleTrust';
import type { TrustListDocument } from '../../src/format/federation/documentTypes';
import { FederatedTrust, type AcceptedPeer } from '../../src/trust/FederatedTrust';
import { signFederationDocument } from '../../src/trust/peer/federationDocument';
import { StatusBits } from '../../src/format/federation/StatusBits';
import { gateTrustList } from '../../src/trust/peer/peerDocumentGate';
import { TRUST_LIST_GRACE_SECONDS } from '../../src/trust/peer/trustListTerms';
import { encodeCompactLicense } from '../../src/forms/qr/compactLicense';
import { verifyAnyForm } from '../../src/verify/forms/verifyAnyForm';
import type { FullForm } from '../../src/format/FullForm';
import { prepareLicenseRecord } from '../../src/issue/prepareLicenseRecord';
import { signLicense } from '../../src/issue/signLicense';
import { runCeremony, type CertifiedDepartment, type RegionPki } from '../../src/pki/ca/ceremony';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../src/repoPath';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { buildLocalTrustFile } from '../../src/trust/local/buildLocalTrustFile';
import { loadLocalTrustFile } from '../../src/trust/local/loadLocalTrustFile';
import type { TrustInputs } from '../../src/trust/TrustInputs';
import { verifyLicense } from '../../src/verify/verifyLicense';
import { cli, removeDir, tempDir } from '../cli/cliHarness';
import { loadDemoConfig } from '../pki/ca/demoCeremony';

const NOW = new Date('2026-11-26T08:00:00Z');
const SINCE = new Date('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const catalog = StandardsCatalog.load();
const BUSINESS = catalog.getTypeBySlug('business-licence')!;
const SAMPLE = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
const GZ_MARKET = '11440100DM0440019H';

let fujian: RegionPki;
let guangdong: RegionPki;
let genuine: FullForm;
let forged: FullForm;
let fujianOwn: FullForm;

/** Fujian's ceremony with one genuine department and one claiming Guangzhou's market regulator (a hostile or careless region). */
function fujianWithForgery(): unknown {
  const c = loadDemoConfig();
  const first = c['departments'][0];
  c['departments'] = [first, { ...first, id: 'forged-gz', name: '广州市市场监督管理局', uscc: GZ_MARKET }];
  return c;
}

async function issue(pki: RegionPki, dept: CertifiedDepartment, at = NOW): Promise<FullForm> {
  const record = prepareLicenseRecord(
    { typeCode: BUSINESS.typeCode, ...SAMPLE.draft },
    { catalog, issuer: { name: dept.name, uscc: dept.uscc, divisionCode: dept.divisionCode }, serial: generateSerial((n) => new Uint8Array(n).fill(7)), today: chinaCalendarDate(at), statusEntry: { listId: firstStatusListId(dept.uscc), index: 0 } },
  );
  return signLicense(record as unknown as Record<string, unknown>, { department: new SoftwareSigner(dept.privateKey, dept.chain), timestampAuthority: new SoftwareSigner(pki.timestampAuthority.privateKey, pki.timestampAuthority.chain) }, at);
}

const listOf = (pki: RegionPki, issuedAt = NOW, sequence = 1): TrustListDocument => trustListOfCeremony(pki, { sequence, issuedAt, validitySeconds: 86_400, since: SINCE });
const peerOf = (pki: RegionPki, doc = listOf(pki)): AcceptedPeer => ({
  rootSha256: parseCertificate(pki.root.certificate.der).fingerprint,
  region: doc.region,
  trustList: { doc, fetchedAt: NOW },
  // Every announced list held, all valid, alive for a week (only trust-list freshness is under test here).
  statusLists: new Map(doc.statusLists.map((l) => [l.listId, { listId: l.listId, uscc: l.uscc, bits: StatusBits.empty(1024), sequence: 1, issuedAt: NOW, ttlSeconds: 7 * 86_400, fetchedAt: NOW }])),
});
const inputs = (trust: FederatedTrust, at = NOW): TrustInputs => trust.asTrustInputs({ source: 'test', at: () => at, judgeRecognition: false });
const verify = (form: FullForm, trust: TrustInputs, at = NOW) => verifyLicense(Buffer.from(JSON.stringify(form)), { trust, catalog, at });
const rootOf = (pki: RegionPki) => parseCertificate(pki.root.certificate.der).fingerprint;
const sign = (pki: RegionPki, doc: TrustListDocument) =>
  signFederationDocument('trust-list', doc, new SoftwareSigner(pki.trustListSigner.privateKey, pki.trustListSigner.chain), pki.root.certificate.der);

beforeAll(async () => {
  fujian = await runCeremony(fujianWithForgery(), { now: SINCE });
  guangdong = await runCeremony(JSON.parse(require('node:fs').readFileSync(repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json'), 'utf8')), { now: SINCE });
  genuine = await issue(guangdong, guangdong.departments.find((d) => d.uscc === GZ_MARKET)!);
  forged = await issue(fujian, fujian.departments.find((d) => d.uscc === GZ_MARKET)!);
  fujianOwn = await issue(fujian, fujian.departments[0]!);
}, 120_000);

describe('one gate for a peer trust list (item 1, item 3)', () => {
  const clean = (pki: RegionPki, issuedAt = NOW) => {
    const d = listOf(pki, issuedAt);
    d.departments = d.departments.filter((x) => x.uscc !== GZ_MARKET);
    return d;
  };

  it('takes a list of the configured region, or of the region first pinned', () => {
    expect(gateTrustList(clean(fujian), { at: NOW, configuredRegion: '350000', pinnedRegion: null, ownRegion: '440000' })).toMatchObject({ ok: true, regionCode: '350000' });
    expect(gateTrustList(clean(fujian), { at: NOW, configuredRegion: null, pinnedRegion: null, ownRegion: null })).toMatchObject({ ok: true, regionCode: '350000' });
  });

  it("refuses a list claiming the verifier's own region", () => {
    expect(gateTrustList(clean(fujian), { at: NOW, configuredRegion: null, pinnedRegion: null, ownRegion: '350000' })).toMatchObject({ ok: false, code: 'DOCUMENT_REGION_OWN' });
  });

  it('refuses a list for another region than configured or pinned', () => {
    expect(gateTrustList(clean(fujian), { at: NOW, configuredRegion: '360000', pinnedRegion: null, ownRegion: null })).toMatchObject({ ok: false, code: 'DOCUMENT_REGION_MISMATCH' });
    expect(gateTrustList(clean(fujian), { at: NOW, configuredRegion: null, pinnedRegion: '360000', ownRegion: null })).toMatchObject({ ok: false, code: 'DOCUMENT_REGION_MISMATCH' });
  });

  it("refuses a list naming another region's department (its USCC registered outside the region, or a division code outside it)", () => {
    expect(gateTrustList(listOf(fujian), { at: NOW, configuredRegion: '350000', pinnedRegion: null, ownRegion: null })).toMatchObject({ ok: false, code: 'DOCUMENT_DEPARTMENT_OUTSIDE_REGION' });
    const d = clean(fujian);
    d.departments[0]!.divisionCode = '440100';
    expect(gateTrustList(d, { at: NOW, configuredRegion: '350000', pinnedRegion: null, ownRegion: null })).toMatchObject({ ok: false, code: 'DOCUMENT_DEPARTMENT_OUTSIDE_REGION' });
  });

  it('refuses a list past its nextUpdate plus the grace, not one within it', () => {
    const old = clean(fujian, new Date(NOW.getTime() - 24 * HOUR - TRUST_LIST_GRACE_SECONDS * 1000 + 60_000));
    expect(gateTrustList(old, { at: NOW, configuredRegion: null, pinnedRegion: null, ownRegion: null }).ok).toBe(true);
    const older = clean(fujian, new Date(NOW.getTime() - 24 * HOUR - TRUST_LIST_GRACE_SECONDS * 1000 - 60_000));
    expect(gateTrustList(older, { at: NOW, configuredRegion: null, pinnedRegion: null, ownRegion: null })).toMatchObject({ ok: false, code: 'DOCUMENT_EXPIRED' });
  });
});

describe('departments keyed by (region, USCC) (item 2)', () => {
  it.each([
    ['Fujian configured last', () => [peerOf(guangdong), peerOf(fujian)]],
    ['Guangdong configured last', () => [peerOf(fujian), peerOf(guangdong)]],
  ])("a peer listing Guangdong's department: the genuine licence verifies, the forgery does not (%s)", (_label, peers) => {
    const trust = new FederatedTrust(peers(), []);
    const g = verify(genuine, inputs(trust));
    expect({ result: g.result, reasons: g.reasons }).toEqual({ result: 'accepted', reasons: [] });
    expect(g.issuer).toMatchObject({ uscc: GZ_MARKET, regionCode: '440000' });
    const f = verify(forged, inputs(trust));
    expect(f.result).toBe('rejected');
    expect(f.reasons).toContain('ISSUER_UNKNOWN');
    // Fujian's own department is untouched.
    expect(verify(fujianOwn, inputs(trust)).result).toBe('accepted');
  });

  it('the same for the compact QR, which names only a key id', async () => {
    const trust = inputs(new FederatedTrust([peerOf(fujian), peerOf(guangdong)], []));
    const qr = async (pki: RegionPki, form: FullForm) =>
      verifyAnyForm(Buffer.from(await encodeCompactLicense(form, BUSINESS, new SoftwareSigner(pki.departments.find((d) => d.uscc === GZ_MARKET)!.privateKey, pki.departments.find((d) => d.uscc === GZ_MARKET)!.chain), NOW)), { trust, catalog, at: NOW });
    expect(await qr(guangdong, genuine)).toMatchObject({ result: 'accepted', issuer: { regionCode: '440000' } });
    expect((await qr(fujian, forged)).reasons).toContain('ISSUER_UNKNOWN');
    // And the trust list's grace holds for the QR as for the full form.
    const late = new Date(NOW.getTime() + 24 * HOUR + TRUST_LIST_GRACE_SECONDS * 1000 + 60_000);
    const text = await encodeCompactLicense(genuine, BUSINESS, new SoftwareSigner(guangdong.departments[0]!.privateKey, guangdong.departments[0]!.chain), NOW);
    const lateTrust = inputs(new FederatedTrust([peerOf(guangdong)], []), late);
    expect((await verifyAnyForm(Buffer.from(text), { trust: lateTrust, catalog, at: late })).reasons).toContain('TRUST_LIST_EXPIRED');
  });

  it('a USCC claimed by two regions is reported as a conflict, naming both', () => {
    const trust = new FederatedTrust([peerOf(fujian), peerOf(guangdong)], []);
    expect(trust.conflicts).toEqual([{ uscc: GZ_MARKET, regions: ['350000', '440000'], heldBy: ['440000'] }]);
  });

  it('nested regions listing one department (a province and its city): both claims hold, each only for chains to its own root', async () => {
    const cfg = JSON.parse(require('node:fs').readFileSync(repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json'), 'utf8'));
    cfg.region = { name: '广州市', code: '440100' };
    const city = await runCeremony(cfg, { now: SINCE });
    const cityLicense = await issue(city, city.departments.find((d) => d.uscc === GZ_MARKET)!);
    const trust = new FederatedTrust([peerOf(guangdong), peerOf(city)], []);
    expect(trust.conflicts).toEqual(expect.arrayContaining([{ uscc: GZ_MARKET, regions: ['440000', '440100'], heldBy: ['440000', '440100'] }]));
    expect(verify(genuine, inputs(trust))).toMatchObject({ result: 'accepted', issuer: { regionCode: '440000' } });
    expect(verify(cityLicense, inputs(trust))).toMatchObject({ result: 'accepted', issuer: { regionCode: '440100' } });
  });

  it('time-stamping authorities: key ids recomputed from the certificate and looked up per region', () => {
    const doc = listOf(fujian);
    // Fujian's list names its own TSA certificate under Guangdong's TSA key id.
    const gKid = keyIdForCertificate(guangdong.timestampAuthority.certificate.der);
    doc.timestampAuthorities[0]!.keyId = gKid;
    const trust = new FederatedTrust([peerOf(guangdong), peerOf(fujian, doc)], []);
    expect(trust.lookupTimestampAuthority(gKid)?.fingerprint).toBe(parseCertificate(guangdong.timestampAuthority.certificate.der).fingerprint);
    expect(trust.lookupTimestampAuthority(gKid, '350000')).toBeUndefined();
    expect(trust.lookupTimestampAuthority(keyIdForCertificate(fujian.timestampAuthority.certificate.der), '350000')).toBeDefined();
  });
});

describe("the node's combined trust (own region first, then peers)", () => {
  const cleanFujian = () => {
    const d = listOf(fujian);
    d.departments = d.departments.filter((x) => x.uscc !== GZ_MARKET);
    return d;
  };
  // The verifier is Guangdong: its own departments from a local trust file of its ceremony.
  const ownGuangdong = () => loadLocalTrustFile(JSON.stringify(buildLocalTrustFile([guangdong], SINCE)), 'own region');
  const combined = (trust: FederatedTrust, ownRegionCode: string, at = NOW) => trust.combine(ownGuangdong(), { ownRegionCode, at: () => at, agreementAsOf: SINCE });

  it("a stored peer list speaking for the verifier's own region lends its departments nothing (never 'issued in this region')", () => {
    // As if Fujian's list had been stored before the gate existed, with the verifier being Fujian itself.
    const r = verify(fujianOwn, combined(new FederatedTrust([peerOf(fujian, cleanFujian())], []), '350000'));
    expect(r.result).toBe('rejected');
    expect(r.reasons).toContain('ISSUER_UNKNOWN');
    expect(r.recognizedLocalType).toBeNull();
  });

  it("a peer listing one of the verifier's own departments: its forgery is refused, the own licence verifies, the operator sees the conflict", () => {
    const trust = new FederatedTrust([peerOf(fujian)], []);
    const inputs = combined(trust, '440000');
    expect(verify(genuine, inputs)).toMatchObject({ result: 'accepted', recognizedLocalType: BUSINESS.typeCode });
    expect(verify(forged, inputs).reasons).toContain('ISSUER_UNKNOWN');
    expect(trust.conflictsWith({ regionCode: '440000', usccs: [GZ_MARKET, '11440100DM0440027C'] })).toEqual([{ uscc: GZ_MARKET, regions: ['350000', '440000'], heldBy: ['440000'] }]);
  });

  it('a held peer list past its grace: TRUST_LIST_EXPIRED through the combined trust too', () => {
    const late = new Date(NOW.getTime() + 24 * HOUR + TRUST_LIST_GRACE_SECONDS * 1000 + 60_000);
    const r = verify(fujianOwn, combined(new FederatedTrust([peerOf(fujian, cleanFujian())], []), '440000', late), late);
    expect(r.reasons).toContain('TRUST_LIST_EXPIRED');
  });
});

describe('stale trust data is refused (item 3)', () => {
  it('a held trust list past nextUpdate plus the grace accepts no licence (node path)', () => {
    const trust = new FederatedTrust([peerOf(guangdong)], []);
    const end = new Date(NOW.getTime() + 24 * HOUR + TRUST_LIST_GRACE_SECONDS * 1000);
    expect(verify(genuine, inputs(trust, new Date(end.getTime() - 60_000)), new Date(end.getTime() - 60_000)).result).toBe('accepted');
    const late = new Date(end.getTime() + 60_000);
    const r = verify(genuine, inputs(trust, late), late);
    expect(r.result).toBe('rejected');
    expect(r.reasons).toContain('TRUST_LIST_EXPIRED');
  });
});

describe('the CLI bundle reader uses the same gate', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('fed-identity');
  });
  afterAll(() => removeDir(dir));

  const bundleOf = async (docs: { pki: RegionPki; doc: TrustListDocument }[], withStatus = false) => {
    const documents = await Promise.all(docs.map(async ({ pki, doc }) => ({ kind: 'trust-list', docId: 'current', rootSha256: rootOf(pki), body: await sign(pki, doc) })));
    for (const { pki, doc } of withStatus ? docs : []) {
      for (const l of doc.statusLists) {
        // Current status lists beside the trust list, as a fresh export would carry them.
        const s = buildStatusList({ region: doc.region, listId: l.listId, uscc: l.uscc, sequence: 1, issuedAt: NOW, ttlSeconds: 86_400, capacity: 1024, notValid: [] });
        const body = await signFederationDocument('status-list', s, new SoftwareSigner(pki.trustListSigner.privateKey, pki.trustListSigner.chain), pki.root.certificate.der);
        documents.push({ kind: 'status-list', docId: l.listId, rootSha256: rootOf(pki), body });
      }
    }
    return { format: 'elicense/trust-bundle@1', exportedAt: NOW.toISOString(), exportedBy: '310000', documents };
  };

  it('refuses a trust list for another region than the pin names, and one listing another region\'s department', async () => {
    const g = await bundleOf([{ pki: guangdong, doc: listOf(guangdong) }]);
    const pinned = trustFromBundle(g, { pins: [`${rootOf(guangdong)}:350000`], at: NOW });
    expect(pinned.trust.peers).toHaveLength(0);
    expect(pinned.refused.map((r) => r.code)).toEqual(['DOCUMENT_REGION_MISMATCH']);
    expect(trustFromBundle(g, { pins: [`${rootOf(guangdong)}:440000`], at: NOW }).trust.peers).toHaveLength(1);
    const f = await bundleOf([{ pki: fujian, doc: listOf(fujian) }]);
    expect(trustFromBundle(f, { pins: [rootOf(fujian)], at: NOW }).refused.map((r) => r.code)).toEqual(['DOCUMENT_DEPARTMENT_OUTSIDE_REGION']);
  });

  it('two trust lists of different regions under one root, none configured: both refused (no newest-wins)', async () => {
    const a = listOf(guangdong);
    const b = { ...listOf(guangdong, NOW, 2), region: { code: '450000', name: '广西' } };
    b.departments = [];
    b.statusLists = [];
    b.timestampAuthorities = [];
    const r = trustFromBundle(await bundleOf([{ pki: guangdong, doc: a }, { pki: guangdong, doc: b }]), { pins: [rootOf(guangdong)], at: NOW });
    expect(r.trust.peers).toHaveLength(0);
    expect(r.refused.map((x) => x.code)).toEqual(['DOCUMENT_REGION_NOT_PINNED', 'DOCUMENT_REGION_NOT_PINNED']);
  });

  it('one region under two pinned roots: taken from neither', async () => {
    const clone = listOf(fujian);
    clone.departments = [];
    clone.statusLists = [];
    clone.timestampAuthorities = [];
    const twin = { ...clone, region: { code: '440000', name: '广东省' } };
    const r = trustFromBundle(await bundleOf([{ pki: guangdong, doc: listOf(guangdong) }, { pki: fujian, doc: twin }]), { pins: [rootOf(guangdong), rootOf(fujian)], at: NOW });
    expect(r.trust.peers).toHaveLength(0);
    expect(r.refused.map((x) => x.code)).toEqual(['DOCUMENT_REGION_MISMATCH', 'DOCUMENT_REGION_MISMATCH']);
  });

  it('verify --bundle with an expired trust list does not accept the licence', async () => {
    const old = new Date(NOW.getTime() - 48 * HOUR);
    const bundle = join(dir, 'old-bundle.json');
    writeFileSync(bundle, JSON.stringify(await bundleOf([{ pki: guangdong, doc: listOf(guangdong, old) }], true)));
    const license = join(dir, 'gz.elic.json');
    writeFileSync(license, JSON.stringify(genuine));
    const fresh = join(dir, 'fresh-bundle.json');
    writeFileSync(fresh, JSON.stringify(await bundleOf([{ pki: guangdong, doc: listOf(guangdong, new Date(NOW.getTime() - HOUR)) }], true)));
    const ok = await cli(['verify', license, '--bundle', fresh, '--pin', rootOf(guangdong), '--at', NOW.toISOString(), '--json']);
    expect({ code: ok.code, err: ok.err }).toEqual({ code: 0, err: '' });
    const r = await cli(['verify', license, '--bundle', bundle, '--pin', rootOf(guangdong), '--at', NOW.toISOString(), '--json']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/DOCUMENT_EXPIRED/);
  });
});
