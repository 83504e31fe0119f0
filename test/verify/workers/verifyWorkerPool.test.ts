import { buildDemoRegion, type DemoRegion } from '../../../src/demo/buildDemoRegion';
import { tamperedVariants, type TamperedVariant } from '../../../src/demo/tamperedVariants';
import { isElicenseError } from '../../../src/errors';
import { encodeCompactLicense } from '../../../src/forms/qr/compactLicense';
import { StandardsCatalog } from '../../../src/standards/StandardsCatalog';
import { verifyAnyForm } from '../../../src/verify/forms/verifyAnyForm';
import { createVerifierCaches } from '../../../src/verify/VerifyContext';
import { buildTrust, peerSnapshotOf, type PresentedStatus, type TrustSnapshotSource } from '../../../src/verify/workers/TrustSnapshot';
import { StatusBits } from '../../../src/format/federation/StatusBits';
import { parseCertificate } from '../../../src/pki/certificate/ParsedCertificate';
import type { AcceptedPeer } from '../../../src/trust/FederatedTrust';
import { trustListOfCeremony } from '../../../src/trust/publish/buildTrustDocuments';
import { issueLicense } from '../../../src/issue/issueLicense';
import { generateSerial } from '../../../src/codes/licenseIdentifier';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { VerifyWorkerPool, verifyWorkersFromEnv } from '../../../src/verify/workers/VerifyWorkerPool';

jest.setTimeout(120_000);

const NOW = new Date('2026-11-26T08:00:00Z');
const catalog = StandardsCatalog.load();

let demo: DemoRegion;
let source: TrustSnapshotSource;
let tampered: TamperedVariant[];
let pool: VerifyWorkerPool;

beforeAll(async () => {
  demo = await buildDemoRegion({ catalog, now: NOW });
  source = { kind: 'local-trust-file', text: JSON.stringify(demo.trustFile), source: 'demo trust file' };
  tampered = await tamperedVariants(demo, catalog, NOW);
  pool = new VerifyWorkerPool({ workers: 2 });
  pool.setTrust(1, source);
});

afterAll(async () => {
  await pool.close();
});

/** The same verification in this thread, with trust built from the same snapshot source. */
const inProcess = (bytes: Uint8Array, at = NOW, status: PresentedStatus | null = null) =>
  verifyAnyForm(bytes, { trust: buildTrust(source)(at, status), catalog, at, caches: createVerifierCaches() });

const expectSame = async (bytes: Uint8Array, at = NOW, status: PresentedStatus | null = null) => {
  const [pooled, local] = await Promise.all([pool.verify(bytes, { at, status }), inProcess(bytes, at, status)]);
  // Identical answers, field order included (what the HTTP route would serialise).
  expect(JSON.stringify(pooled)).toBe(JSON.stringify(local));
  return pooled;
};

describe('VerifyWorkerPool: the same answers as verification in the request thread', () => {
  it('good licences of every demo type, as full forms and as QR text', async () => {
    for (const l of demo.licenses) {
      expect((await expectSame(Buffer.from(JSON.stringify(l.form)))).result).toBe('accepted');
      const qr = await encodeCompactLicense(l.form, l.standard, demo.signerOf(l.department), NOW);
      expect((await expectSame(Buffer.from(qr))).result).toBe('accepted');
    }
  });

  it('every tampered variant, with its reason code', async () => {
    expect(tampered.length).toBeGreaterThan(5);
    for (const v of tampered) {
      const at = v.at ? new Date(v.at) : NOW;
      const r = await expectSame(v.bytes, at);
      expect([v.name, r.reasons.includes(v.expected)]).toEqual([v.name, true]);
    }
  });

  it('malformed input: not JSON, duplicate keys, too deep, bad QR text, empty, random bytes', async () => {
    const inputs = [
      '{"format": ',
      '{"format":"a","format":"b"}',
      '['.repeat(40) + ']'.repeat(40),
      'LC1:not base45 !!',
      '',
      '\u0000\u0001\u0002',
    ].map((s) => Buffer.from(s));
    for (const b of inputs) expect((await expectSame(b)).result).toBe('rejected');
  });

  it('the prefetched status of the presented licence is used, for that licence only', async () => {
    const l = demo.licenses[0]!;
    const record = l.form.license;
    const entry = record['statusEntry'] as { listId: string; index: number } | undefined;
    const revoked: PresentedStatus = {
      identifier: String(record['certificateIdentifier']),
      statusEntry: entry ?? null,
      answer: { kind: 'status', status: 'revoked', asOf: NOW, source: 'test', since: NOW, reason: 'test' },
    };
    const r = await expectSame(Buffer.from(JSON.stringify(l.form)), NOW, revoked);
    expect(r.reasons).toContain('LICENSE_REVOKED');
    const other = await expectSame(Buffer.from(JSON.stringify(l.form)), NOW, { ...revoked, identifier: 'someone-else' });
    expect(other.reasons).not.toContain('LICENSE_REVOKED');
  });

  it('many requests in flight over both workers answer each its own', async () => {
    const forms = demo.licenses.map((l) => Buffer.from(JSON.stringify(l.form)));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => pool.verify(forms[i % forms.length]!, { at: NOW })));
    results.forEach((r, i) => expect(r.license?.['certificateIdentifier']).toBe(demo.licenses[i % forms.length]!.form.license['certificateIdentifier']));
  });
});

describe('VerifyWorkerPool: a peer region\'s licences (federated snapshot)', () => {
  it('the same answers as FederatedTrust.combine in this thread: valid, revoked by the status list, type not recognised', async () => {
    const since = new Date(NOW.getTime() - 86_400_000);
    const doc = trustListOfCeremony(demo.pki, { sequence: 1, issuedAt: since, validitySeconds: 7 * 86_400, since });
    const business = catalog.getTypeBySlug('business-licence')!;
    const dept = demo.pki.departments.find((d) => d.licenseTypes.includes(business.typeCode) && d.algorithm === 'ES256')!;
    const listId = `${dept.uscc}-1`;
    const bits = StatusBits.empty(1024);
    bits.set(1, 'revoked');
    const peer: AcceptedPeer = {
      rootSha256: parseCertificate(demo.pki.root.certificate.der).fingerprint,
      region: doc.region,
      trustList: { doc, fetchedAt: since },
      statusLists: new Map([[listId, { listId, uscc: dept.uscc, bits, sequence: 3, issuedAt: NOW, ttlSeconds: 86_400, fetchedAt: NOW }]]),
    };
    const federated: TrustSnapshotSource = {
      kind: 'federated',
      own: null,
      ownRegionCode: doc.region.code === '110000' ? '120000' : '110000',
      peers: [peerSnapshotOf(peer)],
      agreement: [{ peerRegion: doc.region.code, peerTypeCode: business.typeCode, localTypeCode: business.typeCode, conditions: { maxStatusAgeSeconds: 86_400 } }],
      agreementAsOf: since,
    };
    const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;
    const issue = async (index: number) =>
      Buffer.from(
        JSON.stringify(
          await issueLicense(
            { typeCode: business.typeCode, ...sample.draft },
            {
              catalog,
              trust: demo.trust,
              department: { name: dept.name, uscc: dept.uscc, divisionCode: dept.divisionCode, signer: demo.signerOf(dept) },
              timestampAuthority: demo.timestampAuthority,
              serial: generateSerial((k) => new Uint8Array(k).fill(index + 1)),
              at: NOW,
              statusEntry: { listId, index },
            },
          ),
        ),
      );
    const p = new VerifyWorkerPool({ workers: 1 });
    try {
      p.setTrust(7, federated);
      const local = buildTrust(federated);
      const at = new Date(NOW.getTime() + 60_000);
      const same = async (bytes: Uint8Array) => {
        const [pooled, here] = await Promise.all([
          p.verify(bytes, { at }),
          verifyAnyForm(bytes, { trust: local(at, null), catalog, at, caches: createVerifierCaches() }),
        ]);
        expect(JSON.stringify(pooled)).toBe(JSON.stringify(here));
        return pooled;
      };
      const valid = await same(await issue(0));
      expect([valid.result, valid.status?.value, valid.recognizedLocalType]).toEqual(['accepted', 'valid', business.typeCode]);
      expect((await same(await issue(1))).reasons).toContain('LICENSE_REVOKED');
      // A type the agreement does not recognise.
      const other = demo.licenses.find((l) => l.standard.typeCode !== business.typeCode)!;
      expect((await same(Buffer.from(JSON.stringify(other.form)))).result).toBe('rejected');
    } finally {
      await p.close();
    }
  });
});

describe('VerifyWorkerPool: trust versions', () => {
  it('an unknown version is refused NOT_READY; a new version is sent to each worker before its requests', async () => {
    await expect(pool.verify(Buffer.from('{}'), { at: NOW, trustVersion: 99 })).rejects.toMatchObject({ code: 'NOT_READY' });
    // Version 2: a trust file without any department, so the same licence now has an unknown issuer.
    const empty = { ...demo.trustFile, regions: demo.trustFile.regions.map((r) => ({ ...r, departments: [] })) };
    pool.setTrust(2, { kind: 'local-trust-file', text: JSON.stringify(empty) });
    const form = Buffer.from(JSON.stringify(demo.licenses[0]!.form));
    expect((await pool.verify(form, { at: NOW })).result).toBe('rejected');
    expect((await pool.verify(form, { at: NOW, trustVersion: 1 })).result).toBe('accepted');
  });

  it('trust data a worker cannot read answers its requests with the error, and the worker keeps serving', async () => {
    const p = new VerifyWorkerPool({ workers: 1 });
    try {
      p.setTrust(1, { kind: 'local-trust-file', text: '{"format":' });
      await expect(p.verify(Buffer.from('{}'), { at: NOW })).rejects.toMatchObject({ code: 'TRUST_MATERIAL_INVALID' });
      p.setTrust(2, source);
      expect((await p.verify(Buffer.from(JSON.stringify(demo.licenses[0]!.form)), { at: NOW })).result).toBe('accepted');
    } finally {
      await p.close();
    }
  });
});

describe('VerifyWorkerPool: failures never hang a request', () => {
  it('a crashed worker: its requests are answered VERIFIER_UNAVAILABLE, the next request gets a new worker', async () => {
    const p = new VerifyWorkerPool({ workers: 1 });
    try {
      p.setTrust(1, source);
      const form = Buffer.from(JSON.stringify(demo.licenses[0]!.form));
      expect((await p.verify(form, { at: NOW })).result).toBe('accepted');
      p.crashWorker(0);
      const inFlight = Array.from({ length: 5 }, () => p.verify(form, { at: NOW }).then(() => 'answered', (e: unknown) => (isElicenseError(e) ? e.code : 'other')));
      const outcomes = await Promise.all(inFlight);
      // Everything sent after the exit message is lost with the worker, and answered.
      expect(outcomes.every((o) => o === 'VERIFIER_UNAVAILABLE')).toBe(true);
      expect(p.inFlight).toBe(0);
      expect((await p.verify(form, { at: NOW })).result).toBe('accepted');
    } finally {
      await p.close();
    }
  });

  it('a request over its time limit ends its worker and is answered VERIFIER_UNAVAILABLE', async () => {
    const p = new VerifyWorkerPool({ workers: 1, timeoutMs: 1 });
    try {
      p.setTrust(1, source);
      // The first request also builds the trust data in a new thread: far more than 1 ms.
      await expect(p.verify(Buffer.from(JSON.stringify(demo.licenses[0]!.form)), { at: NOW })).rejects.toMatchObject({ code: 'VERIFIER_UNAVAILABLE' });
      expect(p.inFlight).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('close() answers what is in flight and refuses what comes after', async () => {
    const p = new VerifyWorkerPool({ workers: 1 });
    p.setTrust(1, source);
    const pending = p.verify(Buffer.from(JSON.stringify(demo.licenses[0]!.form)), { at: NOW }).catch((e: unknown) => e);
    await p.close();
    expect(await pending).toMatchObject({ code: 'VERIFIER_UNAVAILABLE' });
    await expect(p.verify(Buffer.from('{}'), { at: NOW })).rejects.toMatchObject({ code: 'VERIFIER_UNAVAILABLE' });
  });
});

describe('ELICENSE_VERIFY_WORKERS', () => {
  it('off by default; auto is one per core; a count; anything else CONFIG_INVALID', () => {
    expect(verifyWorkersFromEnv({})).toBe(0);
    expect(verifyWorkersFromEnv({ ELICENSE_VERIFY_WORKERS: 'off' })).toBe(0);
    expect(verifyWorkersFromEnv({ ELICENSE_VERIFY_WORKERS: '0' })).toBe(0);
    expect(verifyWorkersFromEnv({ ELICENSE_VERIFY_WORKERS: 'auto' })).toBeGreaterThanOrEqual(1);
    expect(verifyWorkersFromEnv({ ELICENSE_VERIFY_WORKERS: '3' })).toBe(3);
    for (const bad of ['-1', '1.5', '65', 'many']) {
      expect(() => verifyWorkersFromEnv({ ELICENSE_VERIFY_WORKERS: bad })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });
});
