/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The federation scale simulation (scripts/federation-scale.ts, `npm run
 * scale:federation`) run in-process at a tiny size — 2 regions × 3
 * departments × 1,000 licences — so that the script cannot rot unnoticed:
 * ceremonies, signed documents, loopback peers on the node's paths, the real
 * FederationSync into a real database, the node's peer trust and timed
 * verification all have to work for it to pass. The figures themselves are
 * only checked for shape, not speed.
 */
import { report } from '../../scripts/federation-scale';
import { runFederationScale, type FederationScaleResult } from '../../scripts/federationScale/runFederationScale';
import { simulatedUscc } from '../../scripts/federationScale/simulatedRegion';
import { checkUscc } from '../../src/codes/uscc';
import type { PGliteClass } from '../../src/store/EmbeddedDatabase';
import { BUSINESS_LICENSE_TYPE } from '../typeCodes';

let result: FederationScaleResult;

beforeAll(async () => {
  result = await runFederationScale(
    {
      regions: 2,
      departmentsPerRegion: 3,
      licencesPerRegion: 1000,
      revokedShare: 0.01,
      suspendedShare: 0.002,
      changedShare: 0.01,
      smallLicencesPerRegion: 60,
      smallDepartments: 2,
      verifyLicences: 4,
      verifyRounds: 2,
      verifyMillis: 30,
      verifyWarmupMillis: 10,
      seed: 7,
    },
    {
      databaseUrl: process.env['DATABASE_URL'] || undefined,
      pglite: (globalThis as { __ELICENSE_PGLITE__?: PGliteClass }).__ELICENSE_PGLITE__,
    },
  );
}, 180_000);

describe('federation scale simulation (tiny size)', () => {
  it('makes valid, distinct USCCs for the simulated departments', () => {
    const codes = [simulatedUscc('110000', 0, 1), simulatedUscc('110000', 0, 2), simulatedUscc('120000', 1, 1)];
    for (const c of codes) expect(checkUscc(c)).toEqual({ ok: true, warnings: [] });
    expect(new Set(codes).size).toBe(3);
  });

  it('lays out one status list per department covering the licences', () => {
    expect(result.layout).toMatchObject({ statusListsPerRegion: 3, statusListCapacity: 334, revokedPerRegion: 10, suspendedPerRegion: 2 });
    expect(result.layout.regions.map((r) => r.code)).toEqual(['110000', '120000']);
    expect(result.documents.count).toBe(2 * (1 + 1 + 3));
  });

  it('syncs everything, then nothing (all 304), then only the re-signed status lists', () => {
    const [first, unchanged, changed] = result.sync.rounds;
    expect(first).toMatchObject({ peersOk: 2, documentsAccepted: 10, documentsUnchanged: 0, errors: [] });
    expect(first!.payloadBytes).toBe(result.documents.totalBytes);
    expect(first!.wire).toMatchObject({ requests: 10, status200: 10, status304: 0 });
    expect(first!.wire.bytesOut).toBeGreaterThan(first!.payloadBytes);
    expect(unchanged).toMatchObject({ peersOk: 2, documentsAccepted: 0, documentsUnchanged: 10, payloadBytes: 0 });
    // A round of 304s changes nothing a process must rebuild.
    expect(unchanged!.federationVersionBumps).toBe(0);
    expect(unchanged!.wire).toMatchObject({ requests: 10, status304: 10 });
    expect(result.sync.statusListsResigned).toBeGreaterThan(0);
    expect(changed).toMatchObject({ peersOk: 2, documentsAccepted: result.sync.statusListsResigned, documentsUnchanged: 10 - result.sync.statusListsResigned });
  });

  it('builds the node\'s peer trust from the stored documents and measures it', () => {
    expect(result.memory).toMatchObject({ peers: 2, departments: 6, statusLists: 6, statusBitsBytes: 6 * Math.ceil(334 / 4) });
    expect(result.memory.storedDocumentBytes).toBeGreaterThan(0);
  });

  it('verifies real licences in all four configurations and times them', () => {
    const v = result.verification;
    expect(v.checks).toMatchObject({ accepted: true, recognizedLocalType: BUSINESS_LICENSE_TYPE });
    expect(v.checks.revokedProbe).toContain('LICENSE_REVOKED');
    expect(v.cases).toHaveLength(4);
    for (const c of v.cases) expect(c.opsPerSecond).toBeGreaterThan(0);
    for (const r of [...Object.values(v.ratios), ...Object.values(v.wallRatios)]) expect(r.perRound).toHaveLength(2);
    for (const c of v.cases) expect(c.opsPerCpuSecond).toBeGreaterThan(0);
    expect(report(result)).toMatch(/ratio b\) few \/ many departments/);
  });
});
