/**
 * The status check as a unit (src/verify/checkStatus.ts): how each answer of a
 * status source becomes the status check's outcome, and that every verifier
 * (full form, QR, PDF, any form) reaches status through it alone.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildDemoRegion, type DemoRegion } from '../../src/demo/buildDemoRegion';
import { encodeCompactLicense } from '../../src/forms/qr/compactLicense';
import { repoPath } from '../../src/repoPath';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import type { StatusAnswer, StatusQuery, TrustInputs } from '../../src/trust/TrustInputs';
import { ResultBuilder } from '../../src/verify/ResultBuilder';
import type { VerificationResult } from '../../src/verify/VerificationResult';
import { checkStatus } from '../../src/verify/checkStatus';
import { verifyAnyForm } from '../../src/verify/forms/verifyAnyForm';
import { verifyCompactLicense } from '../../src/verify/forms/verifyCompactLicense';
import { verifyLicensePdf } from '../../src/verify/forms/verifyLicensePdf';
import { verifyLicense } from '../../src/verify/verifyLicense';
import { signedPdf } from '../forms/pdf/pdfTestRegion';

const NOW = new Date('2026-11-26T08:00:00Z');
const asOf = new Date(NOW.getTime() - 60_000);
const since = new Date(NOW.getTime() - 86_400_000);
const catalog = StandardsCatalog.load();
let demo: DemoRegion;
let record: Record<string, unknown>;

beforeAll(async () => {
  demo = await buildDemoRegion({ catalog, now: NOW });
  record = demo.licenses[0]!.form.license;
});

const withStatus = (answer: StatusAnswer): TrustInputs => ({ ...demo.trust, statusOf: () => answer });

/** The status check alone, on a fresh builder: its outcome, the status shown and the warnings. */
function statusCheck(trust: TrustInputs, rec: Record<string, unknown> = record, issuerRegion?: string) {
  const rb = new ResultBuilder();
  if (issuerRegion) rb.issuer = { uscc: 'x', name: 'x', regionCode: issuerRegion };
  checkStatus(rec, trust, rb, NOW);
  const r = rb.build(trust, NOW);
  return { outcome: r.checks.find((c) => c.check === 'status')!, status: r.status, warnings: r.warnings };
}

describe('checkStatus: a status answer as the status check', () => {
  it('passes a valid licence and says how fresh the answer is', () => {
    const s = statusCheck(withStatus({ kind: 'status', status: 'valid', asOf, source: 'node records' }));
    expect(s.outcome).toEqual({ check: 'status', status: 'passed', reasons: [], detail: `valid as of ${asOf.toISOString()} (node records)` });
    expect(s.status).toEqual({ value: 'valid', asOf: asOf.toISOString(), source: 'node records' });
    expect(s.warnings).toEqual([]);
  });

  it('fails a revoked licence with LICENSE_REVOKED, since when and why', () => {
    const s = statusCheck(withStatus({ kind: 'status', status: 'revoked', asOf, source: 'node records', reason: 'court order', since }));
    expect(s.outcome).toEqual({ check: 'status', status: 'failed', reasons: ['LICENSE_REVOKED'], detail: `revoked since ${since.toISOString()}: court order` });
    expect(s.status).toEqual({ value: 'revoked', asOf: asOf.toISOString(), source: 'node records' });
  });

  it('fails a suspended licence with LICENSE_SUSPENDED', () => {
    const s = statusCheck(withStatus({ kind: 'status', status: 'suspended', asOf, source: 'region 350000 status list L-1 #4' }));
    expect(s.outcome).toEqual({ check: 'status', status: 'failed', reasons: ['LICENSE_SUSPENDED'], detail: 'suspended' });
    expect(s.status?.value).toBe('suspended');
  });

  it('fails a licence whose status list the source does not hold (STATUS_UNKNOWN, never valid)', () => {
    const s = statusCheck(withStatus({ kind: 'unknown', source: 'region 350000 status list L-9 (not held by this node)' }));
    expect(s.outcome).toEqual({
      check: 'status',
      status: 'failed',
      reasons: ['STATUS_UNKNOWN'],
      detail: 'region 350000 status list L-9 (not held by this node) does not know this licence',
    });
    expect(s.status).toBeNull();
  });

  it('fails on a stale list, and keeps the revocation or suspension it last showed', () => {
    const stale = (status: 'valid' | 'revoked' | 'suspended') =>
      statusCheck(withStatus({ kind: 'stale', status, asOf, source: 'region 350000 status list L-1 #3', detail: 'past its time-to-live of 600 s' }));
    expect(stale('valid').outcome).toEqual({ check: 'status', status: 'failed', reasons: ['STATUS_STALE'], detail: 'past its time-to-live of 600 s' });
    expect(stale('valid').status).toEqual({ value: 'valid', asOf: asOf.toISOString(), source: 'region 350000 status list L-1 #3' });
    expect(stale('revoked').outcome.reasons).toEqual(['STATUS_STALE', 'LICENSE_REVOKED']);
    expect(stale('revoked').outcome.detail).toBe('past its time-to-live of 600 s; revoked (as of the last status data)');
    expect(stale('suspended').outcome.reasons).toEqual(['STATUS_STALE', 'LICENSE_SUSPENDED']);
  });

  it('reports not checked, with a warning, when no source covers the issuer or there is no source', () => {
    for (const trust of [withStatus({ kind: 'not_covered' }), demo.trust]) {
      const s = statusCheck(trust);
      expect(s.outcome).toEqual({ check: 'status', status: 'not_checked', reasons: [], detail: 'no status data for this issuer' });
      expect(s.warnings).toEqual(['STATUS_NOT_CHECKED']);
      expect(s.status).toBeNull();
    }
    // a record without the fields a source looks licences up by is not looked up
    const seen: StatusQuery[] = [];
    const s = statusCheck({ ...demo.trust, statusOf: (q) => (seen.push(q), { kind: 'status', status: 'valid', asOf, source: 's' }) }, { certificateIdentifier: 5 });
    expect(seen).toEqual([]);
    expect(s.outcome.status).toBe('not_checked');
  });

  it('asks with the licence key, its status entry and the issuing region the issuer check established', () => {
    const seen: StatusQuery[] = [];
    const asking: TrustInputs = { ...demo.trust, statusOf: (q) => (seen.push(q), { kind: 'not_covered' }) };
    statusCheck(asking, record, '350000');
    statusCheck(asking, { ...record, statusEntry: undefined });
    expect(seen).toEqual([
      {
        identifier: record['certificateIdentifier'],
        issuerCode: record['certificateIssuingAuthorityCode'],
        typeCode: record['certificateTypeCode'],
        statusEntry: record['statusEntry'],
        issuerRegion: '350000',
      },
      { identifier: record['certificateIdentifier'], issuerCode: record['certificateIssuingAuthorityCode'], typeCode: record['certificateTypeCode'] },
    ]);
  });
});

describe('every verifier reaches status through checkStatus', () => {
  const ANSWERS: StatusAnswer[] = [
    { kind: 'status', status: 'valid', asOf, source: 's' },
    { kind: 'status', status: 'revoked', asOf, source: 's', reason: 'r', since },
    { kind: 'stale', status: 'suspended', asOf, source: 's', detail: 'old' },
    { kind: 'unknown', source: 's' },
    { kind: 'not_covered' },
  ];
  const statusPart = (r: VerificationResult) => ({ check: r.checks.find((c) => c.check === 'status'), status: r.status, notChecked: r.warnings.includes('STATUS_NOT_CHECKED') });

  it('full form, QR, PDF and any form give the status check the same outcome as checkStatus alone', async () => {
    const lic = demo.licenses[0]!;
    const qr = await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(lic.department), NOW);
    const pdf = await signedPdf(demo, lic);
    const full = Buffer.from(JSON.stringify(lic.form));
    for (const answer of ANSWERS) {
      const trust = withStatus(answer);
      const ctx = { trust, catalog, at: NOW };
      const alone = statusCheck(trust, record, '350000');
      const want = { check: alone.outcome, status: alone.status, notChecked: alone.warnings.includes('STATUS_NOT_CHECKED') };
      expect(statusPart(verifyLicense(full, ctx))).toEqual(want);
      expect(statusPart(verifyCompactLicense(qr, ctx))).toEqual(want);
      expect(statusPart(await verifyLicensePdf(pdf, ctx))).toEqual(want);
      for (const bytes of [full, Buffer.from(qr), pdf]) expect(statusPart(await verifyAnyForm(bytes, ctx))).toEqual(want);
    }
  });

  it('no other file of src/verify asks a status source or sets the status shown', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
    const verifyDir = repoPath('src', 'verify');
    const readers = files(verifyDir)
      .filter((f) => /\.statusOf\b|\brb\.status\s*=|\.status\s*=\s*\{\s*value/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(verifyDir, f));
    expect(readers).toEqual(['checkStatus.ts']);
  });
});
