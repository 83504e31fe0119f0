/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The sync client against a misbehaving peer on loopback: slow, oversized,
 * down, answering with another region's documents, replaying an older list,
 * claiming a list its trust list does not announce. Every refusal keeps the
 * last good copy and is reported with a stable code; failures back off.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import type { StatusListDocument, TrustListDocument } from '../../src/format/federation/documentTypes';
import { EMPTY_FEDERATION, parseFederationConfig, type FederationConfig, type PeerConfig } from '../../src/trust/peer/FederationConfig';
import { signFederationDocument } from '../../src/trust/peer/federationDocument';
import { StatusBits } from '../../src/format/federation/StatusBits';
import { FederationSync } from '../../src/region/federation/FederationSync';
import { importTrustBundle } from '../../src/region/federation/trustBundle';
import { runCeremony, type RegionPki } from '../../src/pki/ca/ceremony';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { FederationStore } from '../../src/store/FederationStore';
import { loadDemoConfig } from '../pki/ca/demoCeremony';
import { describeStores } from '../store/storeBackends';

let now = new Date('2026-11-26T08:00:00Z');
const clock = { now: () => now };
let pki: RegionPki;
let agreementDoc: string;
let other: RegionPki;
let root: string;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.writeHead(404).end();
let server: Server;
let baseUrl: string;

/** A region's trust list issued now, valid a day, with no departments. */
function trustListDoc(sequence: number, region: RegionPki = pki, over: Partial<TrustListDocument> = {}): TrustListDocument {
  return {
    format: 'elicense/trust-list@1',
    region: { code: region.region.code, name: region.region.name },
    sequence,
    issuedAt: now.toISOString(),
    nextUpdate: new Date(now.getTime() + 86_400_000).toISOString(),
    rootCertificate: Buffer.from(region.root.certificate.der).toString('base64'),
    timestampAuthorities: [],
    departments: [],
    statusLists: [],
    ...over,
  };
}

function signTrustList(doc: TrustListDocument, region: RegionPki = pki): Promise<string> {
  return signFederationDocument('trust-list', doc, new SoftwareSigner(region.trustListSigner.privateKey, region.trustListSigner.chain), region.root.certificate.der);
}

async function trustList(sequence: number, region: RegionPki = pki, lists: string[] = ['L-1']): Promise<string> {
  return signTrustList(trustListDoc(sequence, region, { statusLists: lists.map((listId) => ({ listId, uscc: '11350100DM00000133' })) }), region);
}

async function statusList(listId: string, sequence: number, capacity = 1000): Promise<string> {
  const doc: StatusListDocument = {
    format: 'elicense/status-list@1',
    region: { code: pki.region.code, name: pki.region.name },
    listId,
    uscc: '11350100DM00000133',
    sequence,
    issuedAt: now.toISOString(),
    ttlSeconds: 3600,
    capacity,
    bits: StatusBits.empty(capacity).compressed(),
  };
  return signFederationDocument('status-list', doc, new SoftwareSigner(pki.trustListSigner.privateKey, pki.trustListSigner.chain), pki.root.certificate.der);
}

async function agreement(sequence: number): Promise<string> {
  return signFederationDocument(
    'recognition-agreement',
    { format: 'elicense/recognition-agreement@1', region: { code: pki.region.code, name: pki.region.name }, sequence, issuedAt: now.toISOString(), accepts: [] },
    new SoftwareSigner(pki.trustListSigner.privateKey, pki.trustListSigner.chain),
    pki.root.certificate.der,
  );
}

/** A peer serving fixed documents by path, with ETags. */
function serve(docs: Record<string, string>): Handler {
  return (req, res) => {
    const body = docs[req.url ?? ''];
    if (body === undefined) return void res.writeHead(404).end();
    const etag = `"${Buffer.from(body).length}-${body.slice(-12)}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'application/jose', etag }).end(body);
  };
}

beforeAll(async () => {
  pki = await runCeremony(loadDemoConfig(), { now: new Date('2026-01-01T00:00:00Z') });
  other = await runCeremony(loadDemoConfig(), { now: new Date('2026-01-01T00:00:00Z') });
  root = parseCertificate(pki.root.certificate.der).fingerprint;
  agreementDoc = await agreement(1);
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describeStores('federation sync against a misbehaving peer', (h) => {
  const store = new FederationStore();
  const config = (): FederationConfig => ({ ...EMPTY_FEDERATION, peers: [{ baseUrl, rootSha256: root }], requestTimeoutMs: 500, maxDocumentBytes: 64 * 1024, syncIntervalSeconds: 60 });
  const sync = (force = true) => new FederationSync({ db: h.db(), clock, logger: pino({ level: 'silent' }), store }, config()).runOnce({ force });
  const held = async () => (await store.peerDocument(h.db(), root, 'trust-list', 'current'))?.sequence;

  it('takes a good peer\'s documents, then answers 304s', async () => {
    handler = serve({ '/v1/federation/trust-list': await trustList(5), '/v1/federation/agreement': agreementDoc, '/v1/federation/status-lists/L-1': await statusList('L-1', 1) });
    const [r] = await sync();
    expect(r).toMatchObject({ ok: true, accepted: 3, regionCode: '350000' });
    const [again] = await sync();
    expect(again).toMatchObject({ ok: true, accepted: 0, unchanged: 3 });
    expect(await held()).toBe(5);
  });

  it('a peer answering with another region\'s documents: DOCUMENT_ROOT_MISMATCH, last good copy kept', async () => {
    handler = serve({ '/v1/federation/trust-list': await trustList(9, other) });
    const [r] = await sync();
    expect(r!.errors.map((e) => e.code)).toEqual(['DOCUMENT_ROOT_MISMATCH']);
    expect(await held()).toBe(5);
  });

  it('an older sequence replayed: DOCUMENT_SEQUENCE_REPLAYED', async () => {
    handler = serve({ '/v1/federation/trust-list': await trustList(4) });
    expect((await sync())[0]!.errors.map((e) => e.code)).toEqual(['DOCUMENT_SEQUENCE_REPLAYED']);
    expect(await held()).toBe(5);
  });

  it('an oversized answer is cut off: DOCUMENT_TOO_LARGE', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jose' });
      res.end('x'.repeat(1024 * 1024));
    };
    expect((await sync())[0]!.errors.map((e) => e.code)).toEqual(['DOCUMENT_TOO_LARGE']);
    expect(await held()).toBe(5);
  });

  it('a slow peer times out: PEER_TIMEOUT', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jose' });
      res.write('eyJ');
      setTimeout(() => res.end(), 2_000).unref();
    };
    const [r] = await sync();
    expect(r!.errors.map((e) => e.code)).toEqual(['PEER_TIMEOUT']);
    expect(await held()).toBe(5);
  });

  it('a peer that is down: PEER_UNREACHABLE; failures back off and a forced round ignores the back-off', async () => {
    handler = (req) => req.socket.destroy();
    expect((await sync())[0]!.errors[0]!.code).toBe('PEER_UNREACHABLE');
    const [skipped] = await sync(false);
    expect(skipped!.skipped).toBe('backing_off');
    const [state] = await store.syncStates(h.db());
    expect(state!.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(state!.nextAttemptAt!.getTime()).toBeGreaterThan(now.getTime());
    expect(state!.lastErrorCode).toBe('PEER_UNREACHABLE');
  });

  it('a status list the trust list does not announce, or another list under the asked name, is refused', async () => {
    handler = serve({
      '/v1/federation/trust-list': await trustList(6, pki, ['L-1', 'L-2']),
      '/v1/federation/agreement': agreementDoc,
      '/v1/federation/status-lists/L-1': await statusList('L-1', 2),
      '/v1/federation/status-lists/L-2': await statusList('L-9', 1),
    });
    const [r] = await sync();
    expect(r!.errors.map((e) => `${e.docId}:${e.code}`)).toEqual(['L-2:DOCUMENT_WRONG_KIND']);
    expect(await held()).toBe(6);
  });

  it('a document from a peer whose clock runs ahead by more than five minutes is refused; within five, accepted', async () => {
    const saved = now;
    now = new Date(saved.getTime() + 10 * 60_000);
    const ahead = await trustList(7);
    now = saved;
    handler = serve({ '/v1/federation/trust-list': ahead });
    expect((await sync())[0]!.errors.map((e) => e.code)).toEqual(['DOCUMENT_FROM_FUTURE']);
    now = new Date(saved.getTime() + 6 * 60_000);
    handler = serve({ '/v1/federation/trust-list': ahead, '/v1/federation/agreement': agreementDoc, '/v1/federation/status-lists/L-1': await statusList('L-1', 2) });
    expect((await sync())[0]!.ok).toBe(true);
    expect(await held()).toBe(7);
    now = saved;
  });
});

describeStores('federation identity on the node path (issue 10, items 1 and 3)', (h) => {
  const store = new FederationStore();
  const listDoc = (sequence: number, over: Partial<TrustListDocument> = {}): TrustListDocument => trustListDoc(sequence, pki, over);
  const signed = (doc: TrustListDocument) => signTrustList(doc);
  const run = (peer: Partial<PeerConfig> = {}, ownRegion: string | null = '440000') =>
    new FederationSync(
      { db: h.db(), clock, logger: pino({ level: 'silent' }), store, ownRegionCode: async () => ownRegion },
      { ...EMPTY_FEDERATION, peers: [{ baseUrl, rootSha256: root, ...peer }], requestTimeoutMs: 2000, syncIntervalSeconds: 60 },
    ).runOnce({ force: true });
  const held = async () => (await store.peerDocument(h.db(), root, 'trust-list', 'current'))?.sequence;
  const codes = async (r: Promise<Array<{ errors: Array<{ code: string }> } | undefined>>) => (await r)[0]!.errors.map((e) => e.code);
  const agreementPath = () => ({ '/v1/federation/agreement': agreementDoc });

  it("a peer whose trust list claims the verifier's own region is refused, with the reason in the peer's sync state", async () => {
    handler = serve({ '/v1/federation/trust-list': await signed(listDoc(1)), ...agreementPath() });
    expect(await codes(run({}, '350000'))).toEqual(['DOCUMENT_REGION_OWN']);
    expect(await held()).toBeUndefined();
    const [state] = await store.syncStates(h.db());
    expect(state).toMatchObject({ lastErrorCode: 'DOCUMENT_REGION_OWN', pinnedRegionCode: null });
  });

  it("the import path runs the same gate: a bundle's trust list claiming this node's region, or expired, is refused", async () => {
    const config = { ...EMPTY_FEDERATION, peers: [{ baseUrl, rootSha256: root }] };
    const bundle = async (doc: TrustListDocument) => ({ format: 'elicense/trust-bundle@1', exportedAt: now.toISOString(), exportedBy: '350000', documents: [{ kind: 'trust-list', docId: 'current', rootSha256: root, body: await signed(doc) }] });
    const own = await importTrustBundle(h.db(), store, config, await bundle(listDoc(1)), now, '350000');
    expect(own.refused.map((r) => r.code)).toEqual(['DOCUMENT_REGION_OWN']);
    const old = listDoc(1, { issuedAt: new Date(now.getTime() - 3 * 86_400_000).toISOString(), nextUpdate: new Date(now.getTime() - 2 * 86_400_000).toISOString() });
    expect((await importTrustBundle(h.db(), store, config, await bundle(old), now, '440000')).refused.map((r) => r.code)).toEqual(['DOCUMENT_EXPIRED']);
    expect(await held()).toBeUndefined();
  });

  it('a peer configured with its region code: a trust list of another region is refused', async () => {
    handler = serve({ '/v1/federation/trust-list': await signed(listDoc(1)), ...agreementPath() });
    expect(await codes(run({ regionCode: '360000' }))).toEqual(['DOCUMENT_REGION_MISMATCH']);
    expect(await held()).toBeUndefined();
  });

  it("a trust list naming another region's department is refused", async () => {
    const dept = { uscc: '11440100DM0440019H', name: '广州市市场监督管理局', divisionCode: '350100', state: 'active' as const, stateSince: null, authorizedTypes: [], certificates: [] };
    handler = serve({ '/v1/federation/trust-list': await signed(listDoc(1, { departments: [dept] })), ...agreementPath() });
    expect(await codes(run())).toEqual(['DOCUMENT_DEPARTMENT_OUTSIDE_REGION']);
    expect(await held()).toBeUndefined();
  });

  it('a trust list past its nextUpdate plus the grace is refused', async () => {
    const old = listDoc(1, { issuedAt: new Date(now.getTime() - 3 * 86_400_000).toISOString(), nextUpdate: new Date(now.getTime() - 2 * 86_400_000).toISOString() });
    handler = serve({ '/v1/federation/trust-list': await signed(old), ...agreementPath() });
    expect(await codes(run())).toEqual(['DOCUMENT_EXPIRED']);
    expect(await held()).toBeUndefined();
  });

  it('without a configured region, the first trust list accepted pins it; a later change of region is refused', async () => {
    handler = serve({ '/v1/federation/trust-list': await signed(listDoc(2)), ...agreementPath() });
    expect(await codes(run())).toEqual([]);
    expect((await store.syncStates(h.db()))[0]).toMatchObject({ pinnedRegionCode: '350000', regionCode: '350000' });
    handler = serve({ '/v1/federation/trust-list': await signed(listDoc(3, { region: { code: '360000', name: '江西省' } })), ...agreementPath() });
    expect(await codes(run())).toEqual(['DOCUMENT_REGION_MISMATCH']);
    expect(await held()).toBe(2);
    expect((await store.syncStates(h.db()))[0]).toMatchObject({ pinnedRegionCode: '350000', lastErrorCode: 'DOCUMENT_REGION_MISMATCH' });
  });

  it("one region, one root: a second configured peer's trust list for a region already pinned to another root is refused", async () => {
    const otherRoot = parseCertificate(other.root.certificate.der).fingerprint;
    const doc = { ...listDoc(1), rootCertificate: Buffer.from(other.root.certificate.der).toString('base64') };
    handler = serve({ '/v1/federation/trust-list': await signFederationDocument('trust-list', doc, new SoftwareSigner(other.trustListSigner.privateKey, other.trustListSigner.chain), other.root.certificate.der) });
    const reports = await new FederationSync(
      { db: h.db(), clock, logger: pino({ level: 'silent' }), store, ownRegionCode: async () => '440000' },
      { ...EMPTY_FEDERATION, peers: [{ baseUrl, rootSha256: root }, { baseUrl, rootSha256: otherRoot }], requestTimeoutMs: 2000, syncIntervalSeconds: 60 },
    ).runOnce({ force: true });
    expect(reports.map((r) => r.errors.map((e) => e.code))).toEqual([['DOCUMENT_ROOT_MISMATCH'], ['DOCUMENT_REGION_MISMATCH']]);
    expect(await store.peerDocument(h.db(), otherRoot, 'trust-list', 'current')).toBeNull();
  });
});

describe('federation configuration', () => {
  it('lists every problem: bad URL, bad fingerprint, duplicate peer, duplicate rule', () => {
    expect(() => parseFederationConfig({ peers: [{ baseUrl: 'ftp://x', rootSha256: 'abc' }] })).toThrow(/baseUrl[\s\S]*rootSha256|rootSha256[\s\S]*baseUrl/);
    const peer = { baseUrl: 'http://a.example', rootSha256: 'a'.repeat(64) };
    expect(() => parseFederationConfig({ peers: [peer, peer] })).toThrow(/listed twice/);
    const rule = { peerRegion: '350000', peerTypeCode: 'X1', localTypeCode: 'X1', maxStatusAgeSeconds: 60 };
    expect(() => parseFederationConfig({ recognition: [rule, rule] })).toThrow(/listed twice/);
    expect(() => parseFederationConfig({ peers: [], surprise: 1 })).toThrow(/additional/);
    // One region, one root: two peers configured for one region, or a malformed region code.
    expect(() => parseFederationConfig({ peers: [{ ...peer, regionCode: '440000' }, { baseUrl: 'http://b.example', rootSha256: 'b'.repeat(64), regionCode: '440000' }] })).toThrow(/region 440000 is configured for two peers/);
    expect(() => parseFederationConfig({ peers: [{ ...peer, regionCode: '44' }] })).toThrow(/regionCode/);
    expect(parseFederationConfig({ peers: [{ ...peer, regionCode: '440000' }] }).peers[0]!.regionCode).toBe('440000');
    expect(parseFederationConfig({ peers: [{ ...peer, baseUrl: 'http://a.example/' }] }).peers[0]!.baseUrl).toBe('http://a.example');
  });
});
