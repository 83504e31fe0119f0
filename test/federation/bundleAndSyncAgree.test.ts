/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * One gate, three doors: the same forged, foreign, rolled-back and misplaced
 * documents are refused with the same codes whether a node's sync fetches
 * them, a node imports them from a bundle, or the CLI reads that bundle
 * (`verify --bundle`). A bundle cannot bring in what a sync would refuse.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import type { StatusListDocument, TrustListDocument } from '../../src/format/federation/documentTypes';
import { StatusBits } from '../../src/format/federation/StatusBits';
import { runCeremony, type RegionPki } from '../../src/pki/ca/ceremony';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { FederationSync } from '../../src/region/federation/FederationSync';
import { importTrustBundle } from '../../src/region/federation/trustBundle';
import { FederationStore } from '../../src/store/FederationStore';
import { EMPTY_FEDERATION, type FederationConfig } from '../../src/trust/peer/FederationConfig';
import { signFederationDocument } from '../../src/trust/peer/federationDocument';
import { trustFromBundle } from '../../src/trust/peer/bundleTrust';
import { cli, removeDir, tempDir } from '../cli/cliHarness';
import { loadDemoConfig } from '../pki/ca/demoCeremony';
import { describeStores } from '../store/storeBackends';

const NOW = new Date('2026-11-26T08:00:00Z');
const USCC = '11350100DM00000133';
let pki: RegionPki;
let other: RegionPki;
let root: string;

const listDoc = (sequence: number, over: Partial<TrustListDocument> = {}, r: RegionPki = pki): TrustListDocument => ({
  format: 'elicense/trust-list@1',
  region: { code: '350000', name: '福建省' },
  sequence,
  issuedAt: NOW.toISOString(),
  nextUpdate: new Date(NOW.getTime() + 86_400_000).toISOString(),
  rootCertificate: Buffer.from(r.root.certificate.der).toString('base64'),
  timestampAuthorities: [],
  departments: [],
  statusLists: [
    { listId: 'L-1', uscc: USCC },
    { listId: 'L-9', uscc: USCC },
  ],
  ...over,
});
const statusDoc = (listId: string): StatusListDocument => ({
  format: 'elicense/status-list@1',
  region: { code: '350000', name: '福建省' },
  listId,
  uscc: USCC,
  sequence: 1,
  issuedAt: NOW.toISOString(),
  ttlSeconds: 3600,
  capacity: 1000,
  bits: StatusBits.empty(1000).compressed(),
});
const signer = (r: RegionPki) => new SoftwareSigner(r.trustListSigner.privateKey, r.trustListSigner.chain);

/** The documents under test, each with the code every door must refuse it with. */
interface Case {
  name: string;
  kind: 'trust-list' | 'status-list';
  docId: string;
  body: string;
  code: string;
}
let good: string;
let goodL1: string;
let goodL9: string;
let agreement: string;
let cases: Case[];

beforeAll(async () => {
  pki = await runCeremony(loadDemoConfig(), { now: new Date('2026-01-01T00:00:00Z') });
  other = await runCeremony(loadDemoConfig(), { now: new Date('2026-01-01T00:00:00Z') });
  root = parseCertificate(pki.root.certificate.der).fingerprint;
  good = await signFederationDocument('trust-list', listDoc(5), signer(pki), pki.root.certificate.der);
  goodL1 = await signFederationDocument('status-list', statusDoc('L-1'), signer(pki), pki.root.certificate.der);
  goodL9 = await signFederationDocument('status-list', statusDoc('L-9'), signer(pki), pki.root.certificate.der);
  agreement = await signFederationDocument('recognition-agreement', { format: 'elicense/recognition-agreement@1', region: { code: '350000', name: '福建省' }, sequence: 1, issuedAt: NOW.toISOString(), accepts: [] }, signer(pki), pki.root.certificate.der);
  const [h, , s] = good.split('.') as [string, string, string];
  const raised = `${h}.${Buffer.from(JSON.stringify(listDoc(9))).toString('base64url')}.${s}`;
  cases = [
    { name: 'forged (payload changed under the signature)', kind: 'trust-list', docId: 'current', body: raised, code: 'DOCUMENT_SIGNATURE_INVALID' },
    { name: "another root's list under this peer's root", kind: 'trust-list', docId: 'current', body: await signFederationDocument('trust-list', listDoc(9, {}, other), signer(other), other.root.certificate.der), code: 'DOCUMENT_ROOT_MISMATCH' },
    { name: 'rolled back (older sequence)', kind: 'trust-list', docId: 'current', body: await signFederationDocument('trust-list', listDoc(3), signer(pki), pki.root.certificate.der), code: 'DOCUMENT_SEQUENCE_REPLAYED' },
    { name: 'equal sequence, other content, not issued later', kind: 'trust-list', docId: 'current', body: await signFederationDocument('trust-list', listDoc(5, { statusLists: [] }), signer(pki), pki.root.certificate.der), code: 'DOCUMENT_SEQUENCE_REPLAYED' },
    { name: 'a status list offered under another list id', kind: 'status-list', docId: 'L-1', body: goodL9, code: 'DOCUMENT_WRONG_KIND' },
  ];
}, 120_000);

/** The bundle: the good trust list first (as a newer copy a node holds), then every case, then the real L-9. */
const bundle = () => ({
  format: 'elicense/trust-bundle@1',
  exportedAt: NOW.toISOString(),
  exportedBy: '440000',
  documents: [
    { kind: 'trust-list', docId: 'current', rootSha256: root, body: good },
    ...cases.map((c) => ({ kind: c.kind, docId: c.docId, rootSha256: root, body: c.body })),
    { kind: 'status-list', docId: 'L-9', rootSha256: root, body: goodL9 },
  ],
});

describeStores('the sync, the import and the CLI bundle refuse the same documents with the same codes', (h) => {
  const store = new FederationStore();
  const config = (): FederationConfig => ({ ...EMPTY_FEDERATION, peers: [{ baseUrl: 'https://peer.example', rootSha256: root }], requestTimeoutMs: 2000, syncIntervalSeconds: 60 });
  /** One sync round against a peer serving these paths. */
  const syncOnce = async (paths: Record<string, string>) => {
    const fetch = (async (url: string) => {
      const body = paths[new URL(url).pathname];
      return body === undefined ? new Response('', { status: 404 }) : new Response(body, { status: 200, headers: { 'content-type': 'application/jose' } });
    }) as unknown as typeof globalThis.fetch;
    const [r] = await new FederationSync({ db: h.db(), clock: { now: () => NOW }, logger: pino({ level: 'silent' }), store, ownRegionCode: async () => '440000', fetch }, config()).runOnce({ force: true });
    return r!;
  };
  const held = async () => (await store.peerDocument(h.db(), root, 'trust-list', 'current'))?.sequence;
  let dir: string;
  beforeAll(() => {
    dir = tempDir('bundle-sync-agree');
  });
  afterAll(() => removeDir(dir));

  it('the sync: each case served by the peer after its good trust list was taken', async () => {
    const base = { '/v1/federation/trust-list': good, '/v1/federation/agreement': agreement, '/v1/federation/status-lists/L-1': goodL1, '/v1/federation/status-lists/L-9': goodL9 };
    expect((await syncOnce(base)).ok).toBe(true);
    for (const c of cases) {
      const paths = c.kind === 'trust-list' ? { ...base, '/v1/federation/trust-list': c.body } : { ...base, [`/v1/federation/status-lists/${c.docId}`]: c.body };
      const r = await syncOnce(paths);
      expect({ name: c.name, errors: r.errors.map((e) => `${e.kind} ${e.docId} ${e.code}`) }).toEqual({ name: c.name, errors: [`${c.kind} ${c.docId} ${c.code}`] });
    }
    expect(await held()).toBe(5);
  });

  it("a node's import of the bundle: the same codes, in the bundle's order", async () => {
    const report = await importTrustBundle(h.db(), store, config(), bundle(), NOW, '440000');
    expect(report.refused.map((r) => `${r.kind} ${r.docId} ${r.code}`)).toEqual(cases.map((c) => `${c.kind} ${c.docId} ${c.code}`));
    expect(await held()).toBe(5);
  });

  it('the CLI reading the bundle (trustFromBundle, and verify --bundle): the same codes; the good documents are used', async () => {
    const read = trustFromBundle(bundle(), { pins: [root], at: NOW });
    expect(read.refused.map((r) => `${r.kind} ${r.docId} ${r.code}`)).toEqual(cases.map((c) => `${c.kind} ${c.docId} ${c.code}`));
    expect(read.trust.peers).toHaveLength(1);
    expect(read.trust.peers[0]!.trustList.doc.sequence).toBe(5);
    expect([...read.trust.peers[0]!.statusLists.keys()]).toEqual(['L-9']);

    const file = join(dir, 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle()));
    const license = join(dir, 'not-a-licence.json');
    writeFileSync(license, '{}');
    const run = await cli(['verify', license, '--bundle', file, '--pin', root, '--at', NOW.toISOString()]);
    const refusals = run.err.split('\n').filter((l) => l.startsWith('trust bundle: refused')).map((l) => /^trust bundle: refused (\S+) (\S+): (\S+)/.exec(l)!.slice(1).join(' '));
    expect(refusals).toEqual(cases.map((c) => `${c.kind} ${c.docId} ${c.code}`));
  });

  it('order within a bundle does not change what is used: an older copy before the newer one is replaced, not kept', async () => {
    const older = cases.find((c) => c.code === 'DOCUMENT_SEQUENCE_REPLAYED')!.body;
    const docs = [older, good].map((body) => ({ kind: 'trust-list', docId: 'current', rootSha256: root, body }));
    const read = trustFromBundle({ documents: docs }, { pins: [root], at: NOW });
    expect(read.refused).toEqual([]);
    expect(read.trust.peers[0]!.trustList.doc.sequence).toBe(5);
  });
});
