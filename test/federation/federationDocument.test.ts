import { deflateSync } from 'node:zlib';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import type { StatusListDocument, TrustListDocument } from '../../src/format/federation/documentTypes';
import { readFederationDocument, signFederationDocument } from '../../src/trust/peer/federationDocument';
import { StatusBits } from '../../src/format/federation/StatusBits';
import { runCeremony, type RegionPki } from '../../src/pki/ca/ceremony';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { loadDemoConfig } from '../pki/ca/demoCeremony';

const NOW = new Date('2026-11-26T08:00:00Z');
let pki: RegionPki;
let other: RegionPki;
let pin: string;
let signer: SoftwareSigner;

const trustList = (sequence: number, issuedAt = NOW): TrustListDocument => ({
  format: 'elicense/trust-list@1',
  region: { code: pki.region.code, name: pki.region.name },
  sequence,
  issuedAt: issuedAt.toISOString(),
  nextUpdate: new Date(issuedAt.getTime() + 86_400_000).toISOString(),
  rootCertificate: Buffer.from(pki.root.certificate.der).toString('base64'),
  timestampAuthorities: [],
  departments: [],
  statusLists: [],
});

beforeAll(async () => {
  pki = await runCeremony(loadDemoConfig(), { now: new Date('2026-01-01T00:00:00Z') });
  other = await runCeremony(loadDemoConfig(), { now: new Date('2026-01-01T00:00:00Z') });
  pin = parseCertificate(pki.root.certificate.der).fingerprint;
  signer = new SoftwareSigner(pki.trustListSigner.privateKey, pki.trustListSigner.chain);
});

const read = (jws: string, at = NOW, kind: 'trust-list' | 'status-list' = 'trust-list') => readFederationDocument(jws, { kind, pinnedRootSha256: pin, at });

describe('signed federation documents', () => {
  it('a trust list signed by the region trust-list signer reads back under the pinned root', async () => {
    const jws = await signFederationDocument('trust-list', trustList(7), signer, pki.root.certificate.der);
    const r = read(jws);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.payload.sequence).toBe(7);
  });

  it('refuses a document under another root (a peer answering with another region\'s documents)', async () => {
    const otherSigner = new SoftwareSigner(other.trustListSigner.privateKey, other.trustListSigner.chain);
    const jws = await signFederationDocument('trust-list', trustList(7), otherSigner, other.root.certificate.der);
    expect(read(jws)).toMatchObject({ ok: false, code: 'DOCUMENT_ROOT_MISMATCH' });
  });

  it('refuses a document signed by a key the root did not certify for trust lists', async () => {
    // A department key chains to the right root but lacks the trust-list-signing EKU.
    const dept = pki.departments[0]!;
    const jws = await signFederationDocument('trust-list', trustList(7), new SoftwareSigner(dept.privateKey, dept.chain), pki.root.certificate.der);
    expect(read(jws)).toMatchObject({ ok: false, code: 'DOCUMENT_CHAIN_INVALID' });
  });

  it('refuses a tampered payload, a swapped header and a truncated document', async () => {
    const jws = await signFederationDocument('trust-list', trustList(7), signer, pki.root.certificate.der);
    const [h, p, s] = jws.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as TrustListDocument;
    payload.sequence = 8;
    expect(read(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`)).toMatchObject({ ok: false, code: 'DOCUMENT_SIGNATURE_INVALID' });
    expect(read(`${h}.${p}`)).toMatchObject({ ok: false, code: 'DOCUMENT_MALFORMED' });
    expect(read(jws.slice(0, -10))).toMatchObject({ ok: false });
    expect(read('not a document')).toMatchObject({ ok: false, code: 'DOCUMENT_MALFORMED' });
  });

  it('refuses a document of another kind, and one whose payload breaks its schema', async () => {
    const jws = await signFederationDocument('trust-list', trustList(7), signer, pki.root.certificate.der);
    expect(read(jws, NOW, 'status-list')).toMatchObject({ ok: false, code: 'DOCUMENT_WRONG_KIND' });
    const bad = { ...trustList(7), extra: true } as unknown as TrustListDocument;
    expect(read(await signFederationDocument('trust-list', bad, signer, pki.root.certificate.der))).toMatchObject({ ok: false, code: 'DOCUMENT_SCHEMA_INVALID' });
  });

  it('allows five minutes of clock skew, no more (a document from the future is refused)', async () => {
    const jws = await signFederationDocument('trust-list', trustList(7, new Date(NOW.getTime() + 4 * 60_000)), signer, pki.root.certificate.der);
    expect(read(jws).ok).toBe(true);
    const future = await signFederationDocument('trust-list', trustList(7, new Date(NOW.getTime() + 6 * 60_000)), signer, pki.root.certificate.der);
    expect(read(future)).toMatchObject({ ok: false, code: 'DOCUMENT_FROM_FUTURE' });
  });

  it('refuses an oversized document before looking at it', () => {
    expect(readFederationDocument('a'.repeat(2_000_000), { kind: 'trust-list', pinnedRootSha256: pin, at: NOW, maxBytes: 1_000_000 })).toMatchObject({ ok: false, code: 'DOCUMENT_TOO_LARGE' });
  });
});

describe('status bits', () => {
  it('two bits per licence, O(1) reads, round trip through the compressed form', () => {
    const bits = StatusBits.empty(131_072);
    bits.set(0, 'revoked');
    bits.set(5, 'suspended');
    bits.set(131_071, 'revoked');
    bits.set(5, 'valid');
    bits.set(6, 'suspended');
    const back = StatusBits.fromCompressed(bits.compressed(), 131_072);
    expect([0, 1, 5, 6, 131_071].map((i) => back.get(i))).toEqual(['revoked', 'valid', 'valid', 'suspended', 'revoked']);
    expect(back.get(131_072)).toBe('out_of_range');
    expect(back.get(-1)).toBe('out_of_range');
    expect(bits.compressed().length).toBeLessThan(200);
  });

  it('refuses a compression bomb and a bitstring of the wrong size', () => {
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64url');
    expect(() => StatusBits.fromCompressed(bomb, 1024)).toThrow(/inflate/);
    expect(() => StatusBits.fromCompressed(deflateSync(Buffer.alloc(10)).toString('base64url'), 1024)).toThrow(/expected 256/);
    expect(() => StatusBits.fromCompressed('!!!!', 1024)).toThrow();
    expect(() => StatusBits.empty(0)).toThrow();
  });

  it('a status list document fits its schema', async () => {
    const bits = StatusBits.empty(1000);
    const doc: StatusListDocument = {
      format: 'elicense/status-list@1',
      region: { code: pki.region.code, name: pki.region.name },
      listId: '11350100DM00000133-1',
      uscc: '11350100DM00000133',
      sequence: 1,
      issuedAt: NOW.toISOString(),
      ttlSeconds: 3600,
      capacity: 1000,
      bits: bits.compressed(),
    };
    const r = read(await signFederationDocument('status-list', doc, signer, pki.root.certificate.der), NOW, 'status-list');
    expect(r.ok).toBe(true);
  });
});
