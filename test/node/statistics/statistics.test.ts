/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Verification counts for the dashboard: added up in memory (no database
 * write per verification), flushed in one batched upsert, kept when the
 * database is down, additive across node processes; and GET /v1/statistics.
 */
import pino from 'pino';
import type { Database } from '../../../src/store/Database';
import { SqlStatisticsStore, type StatisticsStore, type VerificationCountDelta } from '../../../src/store/StatisticsStore';
import { VerificationStatistics, verificationCountKey } from '../../../src/region/statistics/VerificationStatistics';
import type { NodeTrustSnapshot } from '../../../src/trust/NodeTrust';
import type { VerificationResult } from '../../../src/verify/VerificationResult';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { BUSINESS_LICENSE_TYPE } from '../../typeCodes';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 27, 3, 15);

class RecordingStore implements Pick<StatisticsStore, 'addVerificationCounts'> {
  calls: VerificationCountDelta[][] = [];
  failing = false;
  async addVerificationCounts(_q: unknown, deltas: readonly VerificationCountDelta[]): Promise<void> {
    if (this.failing) throw new Error('database down');
    this.calls.push(deltas.map((d) => ({ ...d })));
  }
}

function statistics(store: RecordingStore, clock: { now(): Date }, maxPendingRows?: number) {
  return new VerificationStatistics(
    { db: {} as Database, store: store as unknown as StatisticsStore, clock, logger: pino({ level: 'silent' }), isKnownType: () => true },
    maxPendingRows === undefined ? {} : { maxPendingRows },
  );
}

const key = { region: '350000', typeCode: '11100000PH00000122901', uscc: '11350100DM00000133', result: 'accepted' as const };

describe('VerificationStatistics (in memory, batched)', () => {
  it('writes nothing per verification: 1,000 answers become one row in one flush', async () => {
    const store = new RecordingStore();
    const s = statistics(store, { now: () => new Date(T0) });
    for (let i = 0; i < 1000; i++) s.count(key);
    expect(store.calls).toEqual([]);
    await s.flush();
    expect(store.calls).toEqual([[{ ...key, hour: Math.floor(T0 / HOUR), count: 1000 }]]);
    await s.flush();
    expect(store.calls.length).toBe(1);
  });

  it('keys rows by UTC hour, region, type, department and result', async () => {
    const store = new RecordingStore();
    let now = T0;
    const s = statistics(store, { now: () => new Date(now) });
    s.count(key);
    s.count({ ...key, result: 'rejected' });
    now += HOUR;
    s.count(key);
    await s.flush();
    expect(store.calls[0]!.map((r) => [r.hour - Math.floor(T0 / HOUR), r.result, r.count])).toEqual([
      [0, 'accepted', 1],
      [0, 'rejected', 1],
      [1, 'accepted', 1],
    ]);
  });

  it('keeps the counts when the database is down and adds them to the next flush; close() flushes', async () => {
    const store = new RecordingStore();
    const s = statistics(store, { now: () => new Date(T0) });
    s.count(key);
    s.count(key);
    store.failing = true;
    await expect(s.flush()).resolves.toBeUndefined();
    s.count(key);
    store.failing = false;
    await s.close();
    expect(store.calls).toEqual([[{ ...key, hour: Math.floor(T0 / HOUR), count: 3 }]]);
  });

  it('holds a bounded number of rows while it cannot write', async () => {
    const store = new RecordingStore();
    let now = T0;
    const s = statistics(store, { now: () => new Date(now) }, 2);
    for (let h = 0; h < 5; h++) {
      s.count(key);
      now += HOUR;
    }
    await s.flush();
    expect(store.calls[0]!.length).toBe(2);
  });

  it('takes the issuer from the licence only when its signature and path checked out', () => {
    const snapshot = { region: { code: '350000' }, departments: new Map([[key.uscc, {}]]) } as unknown as NodeTrustSnapshot;
    const result = (signature: 'passed' | 'failed', listedRegion?: string): VerificationResult =>
      ({
        result: signature === 'passed' ? 'accepted' : 'rejected',
        reasons: signature === 'passed' ? [] : ['SIGNATURE_INVALID'],
        checks: [
          { check: 'signature', status: signature, reasons: [] },
          { check: 'chain', status: 'passed', reasons: [] },
        ],
        license: { certificateTypeCode: key.typeCode, certificateIssuingAuthorityCode: '11440100DM00000123' },
        issuer: listedRegion ? { uscc: '11440100DM00000123', name: '广州', regionCode: listedRegion } : null,
        trust: { source: 'x', asOf: null },
      }) as unknown as VerificationResult;
    expect(verificationCountKey(result('failed'), snapshot, () => true)).toEqual({ region: 'unknown', typeCode: key.typeCode, uscc: 'unknown', result: 'rejected' });
    expect(verificationCountKey(result('passed'), snapshot, () => true)).toEqual({ region: 'other', typeCode: key.typeCode, uscc: '11440100DM00000123', result: 'accepted' });
    // A peer's department: the region its trust list names.
    expect(verificationCountKey(result('passed', '440000'), snapshot, () => true).region).toBe('440000');
    expect(verificationCountKey(result('passed'), snapshot, () => false).typeCode).toBe('other');
  });
});

describe('on a node', () => {
  let node: TestNode;
  let fullForm: string;

  beforeAll(async () => {
    node = await startTestNode({ env: { ELICENSE_PUBLIC_RATE_LIMIT: '100000' } });
    const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
    const issued = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: { type: 'business-licence', data: sample.draft } });
    expect(issued.status).toBe(201);
    fullForm = issued.text;
  }, 120_000);
  afterAll(() => node?.close(), 60_000);

  it('GET /v1/statistics answers the counts, including this process\'s unflushed ones, split as asked', async () => {
    for (let i = 0; i < 5; i++) await http(node.url, 'POST', '/v1/verifications', { raw: fullForm });
    await http(node.url, 'POST', '/v1/verifications', { raw: fullForm.replace('福州榕信', '福州榕心') });
    const r = await http(node.url, 'GET', '/v1/statistics?by=result&granularity=hour', { key: node.keys.auditor });
    expect(r.status).toBe(200);
    expect(r.body.granularity).toBe('hour');
    expect(r.body.buckets.length).toBe(48);
    expect(r.body.verifications.total).toBe(6);
    const byKey = Object.fromEntries(r.body.verifications.series.map((s: { key: string; total: number }) => [s.key, s.total]));
    expect(byKey).toEqual({ accepted: 5, rejected: 1 });
    expect(r.body.issuance.total).toBe(1);
    expect(r.body.issuance.series[0].key).toBe('valid');
    const series = r.body.verifications.series[0];
    expect(series.counts.length).toBe(48);
    expect(series.counts[47]).toBe(5);

    const byType = await http(node.url, 'GET', '/v1/statistics', { key: node.keys.admin });
    expect(byType.body.granularity).toBe('day');
    expect(byType.body.timeZone).toBe('+08:00');
    expect(byType.body.issuance.series).toEqual([expect.objectContaining({ key: BUSINESS_LICENSE_TYPE, total: 1 })]);
    const byRegion = await http(node.url, 'GET', '/v1/statistics?by=region', { key: node.keys.admin });
    expect(Object.fromEntries(byRegion.body.verifications.series.map((s: { key: string; total: number }) => [s.key, s.total]))).toEqual({ [byRegion.body.region.code]: 5, unknown: 1 });
  });

  it('refuses bad parameters with 400', async () => {
    for (const q of ['by=colour', 'granularity=minute', 'from=yesterday', 'from=2026-01-01&to=2025-01-01', 'granularity=hour&from=2020-01-01', 'extra=1']) {
      const r = await http(node.url, 'GET', `/v1/statistics?${q}`, { key: node.keys.admin });
      expect([q, r.status, r.body.code]).toEqual([q, 400, 'INPUT_MALFORMED']);
    }
  });

  it('counts from several processes add up in the same rows', async () => {
    const store = new SqlStatisticsStore();
    const db = node.services.db;
    const hour = Math.floor(Date.UTC(2025, 0, 1, 10) / HOUR);
    const row = { hour, region: 'R', typeCode: 'T', uscc: 'U', result: 'accepted' as const };
    await store.addVerificationCounts(db, [{ ...row, count: 2 }]);
    await store.addVerificationCounts(db, [{ ...row, count: 3 }, { ...row, result: 'rejected', count: 1 }]);
    const rows = await store.verificationCounts(db, { fromHour: hour, toHour: hour + 1 }, 'result');
    expect(Object.fromEntries(rows.map((r) => [r.key, r.count]))).toEqual({ accepted: 5, rejected: 1 });
  });
});
