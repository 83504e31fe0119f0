/**
 * The one gate for a peer's document (src/trust/peer/peerDocumentGate.ts),
 * judged directly: a pure function of the document, the peer's pinning, the
 * time and what was accepted before. Each refusal reason in the order the
 * gate file lists them, placement of status lists and agreements, and the
 * sequence rule (older, the same, newer, the same sequence with other content).
 */
import { deflateSync } from 'node:zlib';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import type { RecognitionAgreement, StatusListDocument, TrustListDocument } from '../../src/format/federation/documentTypes';
import { StatusBits } from '../../src/format/federation/StatusBits';
import { runCeremony, type RegionPki } from '../../src/pki/ca/ceremony';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { signFederationDocument, type FederationKind, type PayloadOf } from '../../src/trust/peer/federationDocument';
import { judgeSequence, peerDocumentGate, readBundleEntry, regionsOfOtherPeers, type AcceptedBefore, type GateInput } from '../../src/trust/peer/peerDocumentGate';
import { trustListOfCeremony } from '../../src/trust/publish/buildTrustDocuments';
import { TRUST_LIST_GRACE_SECONDS } from '../../src/trust/peer/trustListTerms';
import { loadDemoConfig } from '../pki/ca/demoCeremony';

const NOW = new Date('2026-11-26T08:00:00Z');
const SINCE = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const USCC = '11350100DM00000133';
let pki: RegionPki;
let other: RegionPki;
let root: string;

const NOTHING: AcceptedBefore = { trustList: null, pinnedRegion: null, copy: null };

function listDoc(sequence: number, over: Partial<TrustListDocument> = {}): TrustListDocument {
  return {
    format: 'elicense/trust-list@1',
    region: { code: '350000', name: '福建省' },
    sequence,
    issuedAt: NOW.toISOString(),
    nextUpdate: new Date(NOW.getTime() + DAY).toISOString(),
    rootCertificate: Buffer.from(pki.root.certificate.der).toString('base64'),
    timestampAuthorities: [],
    departments: [],
    statusLists: [{ listId: 'L-1', uscc: USCC }],
    ...over,
  };
}

function statusDoc(listId: string, sequence: number, over: Partial<StatusListDocument> = {}): StatusListDocument {
  return { format: 'elicense/status-list@1', region: { code: '350000', name: '福建省' }, listId, uscc: USCC, sequence, issuedAt: NOW.toISOString(), ttlSeconds: 3600, capacity: 1000, bits: StatusBits.empty(1000).compressed(), ...over };
}

const regionSigner = (r: RegionPki = pki) => new SoftwareSigner(r.trustListSigner.privateKey, r.trustListSigner.chain);
const sign = <K extends FederationKind>(kind: K, doc: PayloadOf[K], r: RegionPki = pki) => signFederationDocument(kind, doc, regionSigner(r), r.root.certificate.der);

/** The gate with a first contact's inputs, overridable. */
const gate = <K extends FederationKind>(kind: K, jws: string, over: Partial<GateInput<K>> = {}) =>
  peerDocumentGate<K>({ kind, jws, peer: { rootSha256: root }, docId: 'current', at: NOW, before: NOTHING, ownRegion: null, ...over });
const codeOf = (v: { ok: boolean; code?: string }) => (v.ok ? 'accepted' : v.code);

beforeAll(async () => {
  pki = await runCeremony(loadDemoConfig(), { now: SINCE });
  other = await runCeremony(loadDemoConfig(), { now: SINCE });
  root = parseCertificate(pki.root.certificate.der).fingerprint;
}, 120_000);

describe('accepts', () => {
  it('a first trust list: what to store, and the region to pin the root to', async () => {
    const jws = await sign('trust-list', listDoc(3));
    const v = gate('trust-list', `${jws}\n`);
    expect(v).toMatchObject({ ok: true, kind: 'trust-list', docId: 'current', sequence: 3, issuedAt: NOW, region: { code: '350000' }, body: jws, unchanged: false, pinRegion: '350000' });
    // Pure: the same inputs, the same verdict.
    expect(gate('trust-list', jws)).toEqual(v);
  });

  it('a real ceremony trust list with departments, certificates and a time-stamping authority', async () => {
    const v = gate('trust-list', await sign('trust-list', trustListOfCeremony(pki, { sequence: 1, issuedAt: NOW, validitySeconds: 86_400, since: SINCE })), { peer: { rootSha256: root, regionCode: '350000' } });
    expect(codeOf(v)).toBe('accepted');
  });

  it('no new pin when the root is pinned to the region already (stored pin, or the region of the list accepted before)', async () => {
    const jws = await sign('trust-list', listDoc(3));
    expect(gate('trust-list', jws, { before: { ...NOTHING, pinnedRegion: '350000' } })).toMatchObject({ ok: true, pinRegion: null });
    expect(gate('trust-list', jws, { before: { ...NOTHING, trustList: listDoc(2) } })).toMatchObject({ ok: true, pinRegion: null });
  });

  it('a status list announced by the accepted trust list, with its bits read once; an agreement placed at current', async () => {
    const v = gate('status-list', await sign('status-list', statusDoc('L-1', 1)), { docId: 'L-1', before: { ...NOTHING, trustList: listDoc(1) } });
    expect(v).toMatchObject({ ok: true, docId: 'L-1', pinRegion: null });
    expect(v.ok && v.bits?.get(0)).toBe('valid');
    const agreement: RecognitionAgreement = { format: 'elicense/recognition-agreement@1', region: { code: '350000', name: '福建省' }, sequence: 1, issuedAt: NOW.toISOString(), accepts: [] };
    expect(gate('recognition-agreement', await sign('recognition-agreement', agreement), { before: { ...NOTHING, trustList: listDoc(1) } })).toMatchObject({ ok: true, docId: 'current' });
  });
});

describe('refuses, with the stable code of the first failing step', () => {
  it('1. the signature read: size, shape, kind, root, chain, signature, schema, clock', async () => {
    const jws = await sign('trust-list', listDoc(1));
    const [h, p, s] = jws.split('.') as [string, string, string];
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...listDoc(1), sequence: 99 })).toString('base64url')}.${s}`;
    const dept = pki.departments[0]!;
    const byDepartment = await signFederationDocument('trust-list', listDoc(1), new SoftwareSigner(dept.privateKey, dept.chain), pki.root.certificate.der);
    const future = await sign('trust-list', listDoc(1, { issuedAt: new Date(NOW.getTime() + 10 * 60_000).toISOString() }));
    const extra = await sign('trust-list', { ...listDoc(1), extra: true } as unknown as TrustListDocument);
    expect({
      large: codeOf(gate('trust-list', jws, { maxBytes: 100 })),
      malformed: codeOf(gate('trust-list', 'not a document')),
      twoParts: codeOf(gate('trust-list', `${h}.${p}`)),
      kind: codeOf(gate('status-list', jws, { docId: 'L-1' })),
      root: codeOf(gate('trust-list', jws, { peer: { rootSha256: parseCertificate(other.root.certificate.der).fingerprint } })),
      chain: codeOf(gate('trust-list', byDepartment)),
      signature: codeOf(gate('trust-list', tampered)),
      schema: codeOf(gate('trust-list', extra)),
      future: codeOf(gate('trust-list', future)),
    }).toEqual({
      large: 'DOCUMENT_TOO_LARGE',
      malformed: 'DOCUMENT_MALFORMED',
      twoParts: 'DOCUMENT_MALFORMED',
      kind: 'DOCUMENT_WRONG_KIND',
      root: 'DOCUMENT_ROOT_MISMATCH',
      chain: 'DOCUMENT_CHAIN_INVALID',
      signature: 'DOCUMENT_SIGNATURE_INVALID',
      schema: 'DOCUMENT_SCHEMA_INVALID',
      future: 'DOCUMENT_FROM_FUTURE',
    });
  });

  it("2. a trust list's region: own, configured, pinned, offered, taken; expiry; departments", async () => {
    const jws = await sign('trust-list', listDoc(1));
    const expired = await sign('trust-list', listDoc(1, { issuedAt: new Date(NOW.getTime() - 3 * DAY).toISOString(), nextUpdate: new Date(NOW.getTime() - DAY - TRUST_LIST_GRACE_SECONDS * 1000 - 1000).toISOString() }));
    const dept = { uscc: '11440100DM0440019H', name: '广州市市场监督管理局', divisionCode: '350100', state: 'active' as const, stateSince: null, authorizedTypes: [], certificates: [] };
    const outside = await sign('trust-list', listDoc(1, { departments: [dept] }));
    const ceremony = trustListOfCeremony(pki, { sequence: 1, issuedAt: NOW, validitySeconds: 86_400, since: SINCE });
    ceremony.departments[0]!.certificates[0]!.keyId = ceremony.departments[1]!.certificates[0]!.keyId;
    const wrongKid = await sign('trust-list', ceremony);
    expect({
      own: codeOf(gate('trust-list', jws, { ownRegion: '350000' })),
      configured: codeOf(gate('trust-list', jws, { peer: { rootSha256: root, regionCode: '360000' } })),
      pinned: codeOf(gate('trust-list', jws, { before: { ...NOTHING, pinnedRegion: '360000' } })),
      pinnedByLastList: codeOf(gate('trust-list', jws, { before: { ...NOTHING, trustList: listDoc(1, { region: { code: '360000', name: '江西省' } }) } })),
      offered: codeOf(gate('trust-list', jws, { offeredRegions: new Set(['350000', '360000']) })),
      offeredButConfigured: codeOf(gate('trust-list', jws, { peer: { rootSha256: root, regionCode: '350000' }, offeredRegions: new Set(['350000', '360000']) })),
      taken: codeOf(gate('trust-list', jws, { takenRegions: new Set(['350000']) })),
      expired: codeOf(gate('trust-list', expired)),
      department: codeOf(gate('trust-list', outside)),
      keyId: codeOf(gate('trust-list', wrongKid)),
    }).toEqual({
      own: 'DOCUMENT_REGION_OWN',
      configured: 'DOCUMENT_REGION_MISMATCH',
      pinned: 'DOCUMENT_REGION_MISMATCH',
      pinnedByLastList: 'DOCUMENT_REGION_MISMATCH',
      offered: 'DOCUMENT_REGION_NOT_PINNED',
      offeredButConfigured: 'accepted',
      taken: 'DOCUMENT_REGION_MISMATCH',
      expired: 'DOCUMENT_EXPIRED',
      department: 'DOCUMENT_DEPARTMENT_OUTSIDE_REGION',
      keyId: 'DOCUMENT_KEY_ID_MISMATCH',
    });
  });

  it('3. any other document: placed against the accepted trust list', async () => {
    const accepted = { ...NOTHING, trustList: listDoc(1) };
    const l1 = await sign('status-list', statusDoc('L-1', 1));
    const foreign = await sign('status-list', statusDoc('L-1', 1, { region: { code: '360000', name: '江西省' } }));
    const unannounced = await sign('status-list', statusDoc('L-7', 1));
    const badBits = await sign('status-list', statusDoc('L-1', 1, { bits: deflateSync(Buffer.alloc(10)).toString('base64url') }));
    expect({
      otherRegion: codeOf(gate('status-list', foreign, { docId: 'L-1', before: accepted })),
      noTrustList: codeOf(gate('status-list', l1, { docId: 'L-1' })),
      notAskedFor: codeOf(gate('status-list', l1, { docId: 'L-2', before: accepted })),
      notAnnounced: codeOf(gate('status-list', unannounced, { docId: 'L-7', before: accepted })),
      bits: codeOf(gate('status-list', badBits, { docId: 'L-1', before: accepted })),
    }).toEqual({
      otherRegion: 'DOCUMENT_REGION_MISMATCH',
      noTrustList: 'DOCUMENT_REGION_MISMATCH',
      notAskedFor: 'DOCUMENT_WRONG_KIND',
      notAnnounced: 'DOCUMENT_REGION_MISMATCH',
      bits: 'DOCUMENT_MALFORMED',
    });
  });

  it('0. a bundle entry that is not {kind, docId, rootSha256, body}', () => {
    expect(readBundleEntry({ kind: 'trust-list', docId: 'current', rootSha256: root.toUpperCase(), body: 'x' })).toEqual({ ok: true, entry: { kind: 'trust-list', docId: 'current', rootSha256: root, body: 'x' } });
    expect(readBundleEntry({ kind: 'licence', docId: 'current', rootSha256: root, body: 'x' })).toMatchObject({ ok: false, code: 'DOCUMENT_MALFORMED', kind: 'licence' });
    expect(readBundleEntry(null)).toMatchObject({ ok: false, code: 'DOCUMENT_MALFORMED' });
  });
});

describe('4. the sequence, against the last accepted copy at the same place', () => {
  const copyOf = (jws: string, sequence: number, issuedAt = NOW) => ({ sequence, issuedAt, body: jws });

  it('older: refused; the same document: accepted, unchanged; newer: accepted, replaces', async () => {
    const five = await sign('trust-list', listDoc(5));
    const four = await sign('trust-list', listDoc(4));
    const six = await sign('trust-list', listDoc(6));
    const before = { ...NOTHING, trustList: listDoc(5), copy: copyOf(five, 5) };
    expect(gate('trust-list', four, { before })).toMatchObject({ ok: false, code: 'DOCUMENT_SEQUENCE_REPLAYED', message: 'sequence 4 is older than the accepted 5' });
    expect(gate('trust-list', five, { before })).toMatchObject({ ok: true, unchanged: true });
    expect(gate('trust-list', six, { before })).toMatchObject({ ok: true, unchanged: false, sequence: 6 });
  });

  it('the same sequence with other content: refused unless issued later (a re-issue), which replaces', async () => {
    const held = await sign('trust-list', listDoc(5));
    const before = { ...NOTHING, trustList: listDoc(5), copy: copyOf(held, 5) };
    const sameTime = await sign('trust-list', listDoc(5, { departments: [], statusLists: [] }));
    const earlier = await sign('trust-list', listDoc(5, { issuedAt: new Date(NOW.getTime() - 60_000).toISOString() }));
    const later = await sign('trust-list', listDoc(5, { issuedAt: new Date(NOW.getTime() + 60_000).toISOString() }));
    expect(codeOf(gate('trust-list', sameTime, { before }))).toBe('DOCUMENT_SEQUENCE_REPLAYED');
    expect(codeOf(gate('trust-list', earlier, { before }))).toBe('DOCUMENT_SEQUENCE_REPLAYED');
    expect(gate('trust-list', later, { before })).toMatchObject({ ok: true, unchanged: false, sequence: 5 });
  });

  it('status lists are sequenced per list, after placement', async () => {
    const two = await sign('status-list', statusDoc('L-1', 2));
    const one = await sign('status-list', statusDoc('L-1', 1));
    const before = { ...NOTHING, trustList: listDoc(1), copy: copyOf(two, 2) };
    expect(codeOf(gate('status-list', one, { docId: 'L-1', before }))).toBe('DOCUMENT_SEQUENCE_REPLAYED');
    expect(gate('status-list', two, { docId: 'L-1', before })).toMatchObject({ ok: true, unchanged: true });
  });

  it('judgeSequence alone: no copy, nothing to judge', () => {
    expect(judgeSequence({ sequence: 1, issuedAt: NOW, body: 'a' }, null)).toEqual({ ok: true, unchanged: false });
  });
});

describe('inputs the callers build', () => {
  it("regionsOfOtherPeers: the other peers' configured regions, else their pins", () => {
    const peers = [{ rootSha256: 'a', regionCode: '350000' }, { rootSha256: 'b' }, { rootSha256: 'c' }];
    expect([...regionsOfOtherPeers(peers, new Map([['b', '440000'], ['c', null]]), { rootSha256: 'a' })]).toEqual(['440000']);
    expect([...regionsOfOtherPeers(peers, new Map(), { rootSha256: 'b' })]).toEqual(['350000']);
  });
});
