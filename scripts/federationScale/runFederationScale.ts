/**
 * The federation scale simulation (issue 5, "Tests and figures"): N regions
 * × D departments, each region with status lists covering L licences,
 * served from loopback HTTP servers on the node's paths; one node's real
 * FederationSync pulls everything into its real database; the node's peer
 * trust is built from the stored documents as NodeFederation builds it; and
 * verification through FederatedTrust.combine + verifyLicense is timed at
 * two sizes of status data and two sizes of department data.
 *
 * scripts/federation-scale.ts runs it at full size and writes the figures;
 * test/federation/scaleSimulation.test.ts runs it at a tiny size so that it
 * keeps working.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { systemClock } from '../../src/clock';
import { generateSerial } from '../../src/codes/licenseIdentifier';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import type { TrustListDocument } from '../../src/format/federation/documentTypes';
import { FederatedTrust, type AcceptedPeer, type HeldStatusList } from '../../src/trust/FederatedTrust';
import { parseFederationConfig, type FederationConfig } from '../../src/trust/peer/FederationConfig';
import { MAX_DOCUMENT_BYTES } from '../../src/trust/peer/federationDocument';
import { StatusBits, type LicenseStatusValue } from '../../src/format/federation/StatusBits';
import { issueLicense } from '../../src/issue/issueLicense';
import { payloadOf } from '../../src/format/federation/payloadOf';
import { FederationSync, type PeerSyncReport } from '../../src/region/federation/FederationSync';
import { buildPeers } from '../../src/region/federation/NodeFederation';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import type { Database } from '../../src/store/Database';
import type { PGliteClass } from '../../src/store/EmbeddedDatabase';
import { FederationStore } from '../../src/store/FederationStore';
import { migrate } from '../../src/store/migrate';
import { openDatabase } from '../../src/store/openDatabase';
import { buildLocalTrustFile } from '../../src/trust/local/buildLocalTrustFile';
import { loadLocalTrustFile } from '../../src/trust/local/loadLocalTrustFile';
import type { TrustInputs } from '../../src/trust/TrustInputs';
import { createVerifierCaches, verifyLicense } from '../../src/verify/verifyLicense';
import { runAdminSql } from '../support/postgresAdmin';
import { seededRandom } from '../support/seededRandom';
import { diffCounters, startPeerServers, type WireCounters } from './peerServers';
import {
  buildSimulatedRegion,
  changeStatuses,
  listIdOf,
  provinceDivisions,
  simulatedUscc,
  type SimulatedRegion,
} from './simulatedRegion';

export interface ScaleParams {
  regions: number;
  departmentsPerRegion: number;
  licencesPerRegion: number;
  revokedShare: number;
  suspendedShare: number;
  /** Share of each region's licences that change status before the third round. */
  changedShare: number;
  /** The smaller status-data size of the verification comparison (licences per region). */
  smallLicencesPerRegion: number;
  /** The smaller department count of the verification comparison (one region). */
  smallDepartments: number;
  /** Distinct licences cycled through by the verification loop. */
  verifyLicences: number;
  verifyRounds: number;
  verifyMillis: number;
  verifyWarmupMillis: number;
  seed: number;
}

export const FULL_SIZE: ScaleParams = {
  regions: 32,
  departmentsPerRegion: 50,
  licencesPerRegion: 1_000_000,
  revokedShare: 0.01,
  suspendedShare: 0.002,
  changedShare: 0.001,
  smallLicencesPerRegion: 1_000,
  smallDepartments: 10,
  verifyLicences: 20,
  // Short interleaved slices: on a shared machine, bursts of load then hit neighbouring slices alike.
  verifyRounds: 30,
  verifyMillis: 250,
  verifyWarmupMillis: 500,
  seed: 20261127,
};

export interface ScaleDeps {
  /** PostgreSQL server to create a scratch database on; unset: embedded PGlite in a temp directory. */
  databaseUrl?: string | undefined;
  /** PGlite class for test runners (test/store/pgliteEnvironment.js). */
  pglite?: PGliteClass | undefined;
  progress?: (message: string) => void;
}

export interface SyncRoundFigures {
  round: string;
  wallMs: number;
  /** User + system CPU of this process (the sync, its database when embedded, and the in-process peer servers). */
  cpuMs: number;
  peersOk: number;
  documentsAccepted: number;
  documentsUnchanged: number;
  errors: { peer: string; kind: string; docId: string; code: string; message: string }[];
  /** Document bodies received (FederationSync's own count). */
  payloadBytes: number;
  /** At the servers' sockets: requests in, responses out, headers included. */
  wire: WireCounters & { totalBytes: number };
  /** How far federation_version moved: each move makes every node process rebuild its peer trust (NodeFederation). */
  federationVersionBumps: number;
}

export interface FederationScaleResult {
  measuredAt: string;
  parameters: ScaleParams;
  layout: {
    regions: { code: string; name: string }[];
    ownRegion: { code: string; name: string };
    statusListsPerRegion: number;
    statusListCapacity: number;
    description: string;
    licencesCovered: number;
    revokedPerRegion: number;
    suspendedPerRegion: number;
  };
  store: 'embedded' | 'postgres';
  setupMs: { regions: number; database: number };
  documents: {
    count: number;
    trustListBytes: { perRegion: number; perDepartment: number };
    statusListBytes: { perList: number; perRegion: number };
    agreementBytes: { perRegion: number };
    totalBytes: number;
    /** The same documents gzip-compressed (the node serves them uncompressed). */
    totalGzipBytes: number;
    /** Departments one trust list can hold under the document cap (MAX_DOCUMENT_BYTES), at this size per department. */
    departmentsPerTrustListCap: number;
  };
  sync: {
    rounds: SyncRoundFigures[];
    changedLicencesPerRegion: number;
    statusListsResigned: number;
    resignMs: number;
    /** takePeerDocument reads and parses the peer's stored trust list again for every status list it accepts. */
  };
  memory: {
    gc: 'global.gc (--expose-gc)' | 'v8 flag at run time' | 'unavailable (figures include garbage)';
    storedDocumentBytes: number;
    peerDocumentsTableBytes: number | null;
    loadMs: number;
    /** buildPeers (JSON of every document, inflating every status list) + new FederatedTrust (certificates parsed). */
    buildMs: number;
    buildPeersMs: number;
    federatedTrustMs: number;
    peers: number;
    departments: number;
    statusLists: number;
    statusBitsBytes: number;
    heapUsedDelta: number;
    externalDelta: number;
    arrayBuffersDelta: number;
    rssDelta: number;
    rssAfter: number;
  };
  verification: {
    licences: number;
    licenceRegion: string;
    cases: VerificationCase[];
    /** Ratios of ops per CPU-second (the verdict: other processes on the machine barely move it); wallRatios of ops per wall-clock second. */
    ratios: {
      /** ops/s at 10^3 licences ÷ ops/s at 10^6 licences per region. */
      licences: RatioFigure;
      /** ops/s at 10 departments ÷ ops/s at 1,600 departments. */
      departments: RatioFigure;
      /** The full configuration measured twice (A/A): the noise floor of this run. */
      sameConfiguration: RatioFigure;
    };
    wallRatios: { licences: RatioFigure; departments: RatioFigure; sameConfiguration: RatioFigure };
    checks: { accepted: boolean; recognizedLocalType: string | null; revokedProbe: string[] };
  };
}

export interface VerificationCase {
  name: string;
  /** Median over rounds of ops per wall-clock second. */
  opsPerSecond: number;
  /** Median over rounds of ops per second of this process's CPU time. */
  opsPerCpuSecond: number;
  rounds: { opsPerSecond: number; opsPerCpuSecond: number }[];
}

/**
 * Interleaved timing (A B C D, then D C B A, ...), each slice `millis` long,
 * measured in wall-clock and in process CPU time: on a shared machine, load
 * from other processes stretches wall time but hardly the CPU time this
 * process spends per verification.
 */
function interleaved(cases: { name: string; run(i: number): void }[], o: { rounds: number; millis: number; warmupMillis: number }): VerificationCase[] {
  const slice = (c: { run(i: number): void }, millis: number) => {
    let ops = 0;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(millis * 1e6));
    let now = start;
    while (now < end) {
      for (let k = 0; k < 20; k++) c.run(ops++);
      now = process.hrtime.bigint();
    }
    const used = process.cpuUsage(cpu);
    return { opsPerSecond: ops / (Number(now - start) / 1e9), opsPerCpuSecond: ops / ((used.user + used.system) / 1e6) };
  };
  for (const c of cases) slice(c, o.warmupMillis);
  const rounds = cases.map(() => [] as { opsPerSecond: number; opsPerCpuSecond: number }[]);
  for (let r = 0; r < o.rounds; r++) {
    const order = cases.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) rounds[i]!.push(slice(cases[i]!, o.millis));
  }
  return cases.map((c, i) => ({
    name: c.name,
    opsPerSecond: median(rounds[i]!.map((x) => x.opsPerSecond)),
    opsPerCpuSecond: median(rounds[i]!.map((x) => x.opsPerCpuSecond)),
    rounds: rounds[i]!,
  }));
}

export interface RatioFigure {
  median: number;
  perRound: number[];
  withinTenPercent: boolean;
}

const fmt = (x: number): string => x.toLocaleString('en-US');

function caseNames(p: ScaleParams, smallDepartments: number) {
  const all = p.regions * p.departmentsPerRegion;
  return {
    smallLicences: `a) ${fmt(p.smallLicencesPerRegion)} licences per region (${fmt(all)} departments)`,
    largeLicences: `a) ${fmt(p.licencesPerRegion)} licences per region (${fmt(all)} departments)`,
    smallDepartments: `b) ${fmt(smallDepartments)} departments (1 region)`,
    largeDepartments: `b) ${fmt(all)} departments (${p.regions} regions)`,
  };
}

function findGc(): { gc: (() => void) | undefined; how: FederationScaleResult['memory']['gc'] } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: 'global.gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const fromContext = runInNewContext('gc') as unknown;
    if (typeof fromContext === 'function') return { gc: fromContext as () => void, how: 'v8 flag at run time' };
  } catch {
    // fall through
  }
  return { gc: undefined, how: 'unavailable (figures include garbage)' };
}

async function openScratchDatabase(deps: ScaleDeps): Promise<{ db: Database; kind: 'embedded' | 'postgres'; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'elicense-scale-'));
  if (deps.databaseUrl) {
    const name = `elicense_scale_${randomBytes(6).toString('hex')}`;
    await runAdminSql(deps.databaseUrl, `CREATE DATABASE ${name}`);
    const url = new URL(deps.databaseUrl);
    url.pathname = `/${name}`;
    const db = await openDatabase({ databaseUrl: url.toString(), dataDir: dir });
    return {
      db,
      kind: 'postgres',
      dispose: async () => {
        await db.close();
        await runAdminSql(deps.databaseUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const db = await openDatabase({ dataDir: join(dir, 'pg'), ...(deps.pglite ? { pglite: deps.pglite } : {}) });
  return {
    db,
    kind: 'embedded',
    dispose: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function runFederationScale(p: ScaleParams, deps: ScaleDeps = {}): Promise<FederationScaleResult> {
  const progress = deps.progress ?? (() => undefined);
  const catalog = StandardsCatalog.load();
  const business = catalog.getTypeBySlug('business-licence');
  if (!business) throw new Error('no business-licence type standard');
  const commonType = business.typeCode;
  const otherTypes = [...new Set(catalog.listTypes().map((t) => t.typeCode))].filter((t) => t !== commonType);

  const provinces = provinceDivisions();
  if (p.regions < 1 || p.regions + 1 > provinces.length) throw new RangeError(`regions must be 1..${provinces.length - 1} (one province is the syncing node's own)`);
  if (p.departmentsPerRegion < 1 || p.departmentsPerRegion > 9999) throw new RangeError('departmentsPerRegion must be 1..9999');
  const regionRefs = provinces.slice(0, p.regions);
  const ownRegion = provinces[p.regions]!;
  const listCapacity = Math.ceil(p.licencesPerRegion / p.departmentsPerRegion);
  const smallCapacity = Math.ceil(p.smallLicencesPerRegion / p.departmentsPerRegion);
  const smallDepartments = Math.min(p.smallDepartments, p.departmentsPerRegion);
  const slotsPerDepartment = Math.ceil(p.verifyLicences / smallDepartments);
  if (slotsPerDepartment + 1 > smallCapacity || smallCapacity > listCapacity) {
    throw new RangeError(`the small status lists (${smallCapacity} slots) must hold the ${slotsPerDepartment} verification licences per department and a revoked probe, and be no larger than the full lists (${listCapacity})`);
  }

  // The licences timed in the verification step (region 0, departments 1..smallDepartments) and a revoked probe.
  const verifyRegion = regionRefs[0]!;
  const licensePlan = Array.from({ length: p.verifyLicences }, (_, k) => ({ department: k % smallDepartments, index: Math.floor(k / smallDepartments) }));
  const probe = { department: 0, index: smallCapacity - 1 };
  const fixedSlots = new Map<string, Array<readonly [number, LicenseStatusValue]>>();
  const fix = (department: number, index: number, status: LicenseStatusValue) => {
    const listId = listIdOf(simulatedUscc(verifyRegion.code, 0, department + 1));
    fixedSlots.set(listId, [...(fixedSlots.get(listId) ?? []), [index, status]]);
  };
  for (const l of licensePlan) fix(l.department, l.index, 'valid');
  fix(probe.department, probe.index, 'revoked');

  const now = new Date();
  const ceremonyAt = new Date(now.getTime() - 86_400_000);
  const docsAt = new Date(now.getTime() - 60_000);
  const ttlSeconds = 3600;
  const random = seededRandom(p.seed);

  // 1. The regions: ceremonies and signed documents.
  let t0 = performance.now();
  const regions: SimulatedRegion[] = [];
  for (const [index, ref] of regionRefs.entries()) {
    regions.push(
      await buildSimulatedRegion({
        index,
        code: ref.code,
        name: ref.name,
        departments: p.departmentsPerRegion,
        listCapacity,
        revokedShare: p.revokedShare,
        suspendedShare: p.suspendedShare,
        commonType,
        otherTypes,
        allRegionCodes: regionRefs.map((r) => r.code),
        ...(index === 0 ? { fixedSlots } : {}),
        random,
        ceremonyAt,
        at: docsAt,
        ttlSeconds,
        trustListValiditySeconds: 86_400,
      }),
    );
    if ((index + 1) % 4 === 0 || index + 1 === regionRefs.length) progress(`regions built: ${index + 1}/${regionRefs.length} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const regionsMs = performance.now() - t0;

  const trustBytes = regions.map((r) => Buffer.byteLength(r.trustList.body));
  const listBytes = regions.flatMap((r) => [...r.statusLists.values()].map((l) => Buffer.byteLength(l.doc.body)));
  const agreementBytes = regions.map((r) => Buffer.byteLength(r.agreement.body));
  const allBodies = regions.flatMap((r) => [r.trustList.body, r.agreement.body, ...[...r.statusLists.values()].map((l) => l.doc.body)]);
  const payloadPerDepartment = mean(regions.map((r) => Buffer.byteLength(JSON.stringify(payloadOf<TrustListDocument>(r.trustList.body))) / p.departmentsPerRegion));
  const documents: FederationScaleResult['documents'] = {
    count: allBodies.length,
    trustListBytes: { perRegion: Math.round(mean(trustBytes)), perDepartment: Math.round(mean(trustBytes) / p.departmentsPerRegion) },
    statusListBytes: { perList: Math.round(mean(listBytes)), perRegion: Math.round(listBytes.reduce((a, b) => a + b, 0) / regions.length) },
    agreementBytes: { perRegion: Math.round(mean(agreementBytes)) },
    totalBytes: allBodies.reduce((a, b) => a + Buffer.byteLength(b), 0),
    totalGzipBytes: allBodies.reduce((a, b) => a + gzipSync(b).byteLength, 0),
    departmentsPerTrustListCap: Math.floor(MAX_DOCUMENT_BYTES / payloadPerDepartment),
  };

  // 2. Serve them; open the syncing node's database.
  const servers = await startPeerServers(regions);
  t0 = performance.now();
  const scratch = await openScratchDatabase(deps);
  await migrate(scratch.db);
  const databaseMs = performance.now() - t0;
  progress(`database ready (${scratch.kind}, ${(databaseMs / 1000).toFixed(1)} s); ${regions.length} peer servers on loopback`);
  try {
    const config: FederationConfig = parseFederationConfig({
      peers: regions.map((r) => ({ baseUrl: servers.baseUrls.get(r.code)!, rootSha256: r.rootSha256, label: `${r.code} ${r.name}` })),
      recognition: regions.map((r) => ({ peerRegion: r.code, peerTypeCode: commonType, localTypeCode: commonType, maxStatusAgeSeconds: 3600 })),
      autoSync: false,
      requestTimeoutMs: 30_000,
    });
    const store = new FederationStore();
    const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, pino.destination({ fd: 2, sync: true }));
    const sync = new FederationSync({ db: scratch.db, clock: systemClock, logger, store }, config);

    const round = async (name: string): Promise<SyncRoundFigures> => {
      const version = await store.federationVersion(scratch.db);
      const before = servers.counters();
      const cpu = process.cpuUsage();
      const start = performance.now();
      const reports: PeerSyncReport[] = await sync.runOnce();
      const wallMs = performance.now() - start;
      const used = process.cpuUsage(cpu);
      const wire = diffCounters(servers.counters(), before);
      const figures: SyncRoundFigures = {
        round: name,
        wallMs,
        cpuMs: (used.user + used.system) / 1000,
        peersOk: reports.filter((r) => r.ok).length,
        documentsAccepted: reports.reduce((a, r) => a + r.accepted, 0),
        documentsUnchanged: reports.reduce((a, r) => a + r.unchanged, 0),
        errors: reports.flatMap((r) => r.errors.map((e) => ({ peer: r.peer, ...e }))),
        payloadBytes: reports.reduce((a, r) => a + r.bytes, 0),
        wire: { ...wire, totalBytes: wire.bytesIn + wire.bytesOut },
        federationVersionBumps: (await store.federationVersion(scratch.db)) - version,
      };
      progress(`sync round "${name}": ${(wallMs / 1000).toFixed(2)} s, ${figures.documentsAccepted} accepted, ${figures.documentsUnchanged} unchanged, ${figures.errors.length} errors, ${figures.wire.totalBytes} bytes on the wire`);
      if (figures.errors.length > 0) throw new Error(`sync round "${name}" had errors: ${JSON.stringify(figures.errors.slice(0, 5))}`);
      return figures;
    };

    // 3. Three rounds: everything new, nothing changed, 0.1% of licences changed in every region.
    const rounds: SyncRoundFigures[] = [];
    rounds.push(await round('first full round'));
    rounds.push(await round('nothing changed (all 304)'));
    const changedPerRegion = Math.round(p.licencesPerRegion * p.changedShare);
    t0 = performance.now();
    let resigned = 0;
    const changeAt = new Date();
    for (const r of regions) resigned += await changeStatuses(r, { count: changedPerRegion, random, protectedSlots: r.index === 0 ? fixedSlots : undefined, at: changeAt, ttlSeconds });
    const resignMs = performance.now() - t0;
    progress(`${changedPerRegion} licences changed status in each region: ${resigned} status lists re-signed (${(resignMs / 1000).toFixed(1)} s)`);
    rounds.push(await round(`${fmt(p.changedShare * 100)}% of licences changed`));
    await servers.close();

    // 4. Memory of the node holding everything: peer trust built from the stored documents as NodeFederation does.
    const { gc, how } = findGc();
    const settle = () => {
      if (!gc) return;
      for (let i = 0; i < 3; i++) gc();
    };
    settle();
    const before = process.memoryUsage();
    t0 = performance.now();
    let docs = await store.peerDocuments(scratch.db);
    const loadMs = performance.now() - t0;
    const storedDocumentBytes = docs.reduce((a, d) => a + Buffer.byteLength(d.body), 0);
    t0 = performance.now();
    const peers = buildPeers(config, docs, logger);
    const buildPeersMs = performance.now() - t0;
    const fullTrust = new FederatedTrust(peers, config.recognition);
    const buildMs = performance.now() - t0;
    docs = [];
    settle();
    const after = process.memoryUsage();
    let tableBytes: number | null = null;
    try {
      const [row] = await scratch.db.query<{ size: unknown }>("SELECT pg_total_relation_size('peer_documents') AS size");
      tableBytes = Number(row?.size);
    } catch {
      tableBytes = null;
    }
    const heldLists = peers.flatMap((peer) => [...peer.statusLists.values()]);
    const memory: FederationScaleResult['memory'] = {
      gc: how,
      storedDocumentBytes,
      peerDocumentsTableBytes: tableBytes,
      loadMs,
      buildMs,
      buildPeersMs,
      federatedTrustMs: buildMs - buildPeersMs,
      peers: peers.length,
      departments: peers.reduce((a, peer) => a + peer.trustList.doc.departments.length, 0),
      statusLists: heldLists.length,
      statusBitsBytes: heldLists.reduce((a, l) => a + l.bits.byteLength, 0),
      heapUsedDelta: after.heapUsed - before.heapUsed,
      externalDelta: after.external - before.external,
      arrayBuffersDelta: after.arrayBuffers - before.arrayBuffers,
      rssDelta: after.rss - before.rss,
      rssAfter: after.rss,
    };
    progress(`peer trust built: ${memory.departments} departments, ${memory.statusLists} status lists; heap +${(memory.heapUsedDelta / 2 ** 20).toFixed(1)} MiB, array buffers +${(memory.arrayBuffersDelta / 2 ** 20).toFixed(1)} MiB`);
    if (peers.length !== regions.length) throw new Error(`expected ${regions.length} peers in the node's trust, got ${peers.length}`);

    // 5. Verification cost.
    const verification = await measureVerification({
      p,
      catalog,
      commonType,
      region: regions[0]!,
      ownRegion,
      fullTrust,
      peers,
      rules: config.recognition,
      smallCapacity,
      smallDepartments,
      licensePlan,
      probe,
      fixedSlots,
      random,
      ceremonyAt,
      now,
      progress,
    });

    return {
      measuredAt: now.toISOString(),
      parameters: p,
      layout: {
        regions: regionRefs,
        ownRegion,
        statusListsPerRegion: p.departmentsPerRegion,
        statusListCapacity: listCapacity,
        description: `${p.departmentsPerRegion} status lists of ${fmt(listCapacity)} per region (one list per department, listId <uscc>-1 as the issuing node names them), all slots in use`,
        licencesCovered: listCapacity * p.departmentsPerRegion * p.regions,
        revokedPerRegion: Math.round(listCapacity * p.departmentsPerRegion * p.revokedShare),
        suspendedPerRegion: Math.round(listCapacity * p.departmentsPerRegion * p.suspendedShare),
      },
      store: scratch.kind,
      setupMs: { regions: regionsMs, database: databaseMs },
      documents,
      sync: {
        rounds,
        changedLicencesPerRegion: changedPerRegion,
        statusListsResigned: resigned,
        resignMs,
      },
      memory,
      verification,
    };
  } finally {
    await servers.close().catch(() => undefined);
    await scratch.dispose();
  }
}

interface VerificationSetup {
  p: ScaleParams;
  catalog: StandardsCatalog;
  commonType: string;
  region: SimulatedRegion;
  ownRegion: { code: string; name: string };
  fullTrust: FederatedTrust;
  peers: AcceptedPeer[];
  rules: FederationConfig['recognition'];
  smallCapacity: number;
  smallDepartments: number;
  licensePlan: { department: number; index: number }[];
  probe: { department: number; index: number };
  fixedSlots: ReadonlyMap<string, ReadonlyArray<readonly [number, LicenseStatusValue]>>;
  random: () => number;
  ceremonyAt: Date;
  now: Date;
  progress: (message: string) => void;
}

async function measureVerification(s: VerificationSetup): Promise<FederationScaleResult['verification']> {
  const { region, catalog, commonType } = s;
  const CASES = caseNames(s.p, s.smallDepartments);
  const pki = region.pki;
  // Issued by the region's own departments, checked against the region's own trust before they leave (issueLicense).
  const issuingTrust = loadLocalTrustFile(JSON.stringify(buildLocalTrustFile([pki], s.ceremonyAt)), 'issuing region');
  const tsa = new SoftwareSigner(pki.timestampAuthority.privateKey, pki.timestampAuthority.chain);
  const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence');
  if (!sample) throw new Error('no business-licence sample in fixtures/data');
  const issue = async (department: number, index: number, k: number): Promise<Buffer> => {
    const d = pki.departments[department]!;
    const form = await issueLicense(
      { typeCode: commonType, ...sample.draft },
      {
        catalog,
        trust: issuingTrust,
        department: { name: d.name, uscc: d.uscc, divisionCode: d.divisionCode, signer: new SoftwareSigner(d.privateKey, d.chain) },
        timestampAuthority: tsa,
        serial: generateSerial((n) => new Uint8Array(randomBytes(n))),
        at: new Date(s.now.getTime() - 1_800_000 + k * 1000),
        statusEntry: { listId: listIdOf(d.uscc), index },
      },
    );
    return Buffer.from(JSON.stringify(form));
  };
  const inputs: Buffer[] = [];
  for (const [k, l] of s.licensePlan.entries()) inputs.push(await issue(l.department, l.index, k));
  const revokedProbe = await issue(s.probe.department, s.probe.index, s.licensePlan.length);

  // a) the same 32 × 50 departments, with status lists covering 10^3 instead of 10^6 licences per region.
  const smallBits = (listId: string): StatusBits => {
    const bits = StatusBits.empty(s.smallCapacity);
    const marks = Math.max(1, Math.round(s.smallCapacity * (s.p.revokedShare + s.p.suspendedShare)));
    for (let m = 0; m < marks; m++) bits.set(Math.floor(s.random() * s.smallCapacity), m % 6 === 5 ? 'suspended' : 'revoked');
    for (const [i, status] of s.fixedSlots.get(listId) ?? []) bits.set(i, status);
    return bits;
  };
  const smallListsTrust = new FederatedTrust(
    s.peers.map((peer) => ({
      ...peer,
      statusLists: new Map([...peer.statusLists].map(([id, held]): [string, HeldStatusList] => [id, { ...held, bits: smallBits(id) }])),
    })),
    s.rules,
  );
  // b) one region with 10 departments (those that signed the licences) instead of 32 × 50.
  const own = s.peers.find((peer) => peer.region.code === region.code)!;
  const keep = new Set(pki.departments.slice(0, s.smallDepartments).map((d) => d.uscc));
  const doc = own.trustList.doc;
  const fewDepartmentsTrust = new FederatedTrust(
    [
      {
        ...own,
        trustList: {
          ...own.trustList,
          doc: { ...doc, departments: doc.departments.filter((d) => keep.has(d.uscc)), statusLists: doc.statusLists.filter((l) => keep.has(l.uscc)) },
        },
        statusLists: new Map([...own.statusLists].filter(([, held]) => keep.has(held.uscc))),
      },
    ],
    s.rules,
  );

  // The verifying node's own region: none of these licences is its own.
  const ownTrust: TrustInputs = {
    anchors: [],
    lookupDepartment: () => undefined,
    lookupTimestampAuthority: () => undefined,
    lookupSignerCertificate: () => undefined,
    statusOf: () => ({ kind: 'not_covered' }),
    source: `region ${s.ownRegion.code} (the syncing node)`,
    asOf: s.now,
  };
  const verifier = (fed: FederatedTrust) => {
    const caches = createVerifierCaches();
    return (input: Buffer) => {
      // As POST /v1/verifications does: combine per request, then verify at the request's time.
      const at = new Date();
      const trust = fed.combine(ownTrust, { ownRegionCode: s.ownRegion.code, at: () => at, agreementAsOf: s.now });
      return verifyLicense(input, { trust, catalog, at, caches });
    };
  };
  const variants = [
    { name: CASES.smallLicences, verify: verifier(smallListsTrust) },
    { name: CASES.largeLicences, verify: verifier(s.fullTrust) },
    { name: CASES.smallDepartments, verify: verifier(fewDepartmentsTrust) },
    { name: CASES.largeDepartments, verify: verifier(s.fullTrust) },
  ];
  let recognizedLocalType: string | null = null;
  let revokedReasons: string[] = [];
  for (const v of variants) {
    for (const input of inputs) {
      const r = v.verify(input);
      if (r.result !== 'accepted') throw new Error(`${v.name}: licence not accepted: ${r.reasons.join(', ')}`);
      recognizedLocalType = r.recognizedLocalType;
    }
    const probeResult = v.verify(revokedProbe);
    if (!probeResult.reasons.includes('LICENSE_REVOKED')) throw new Error(`${v.name}: the revoked probe was not refused as revoked: ${probeResult.reasons.join(', ')}`);
    revokedReasons = probeResult.reasons;
  }
  s.progress(`verification: ${inputs.length} licences accepted in all four configurations; timing ${s.p.verifyRounds} interleaved rounds of ${s.p.verifyMillis} ms per case`);
  const n = inputs.length;
  const cases = interleaved(
    variants.map((v) => ({
      name: v.name,
      run: (i: number) => {
        if (v.verify(inputs[i % n]!).result !== 'accepted') throw new Error(`${v.name}: rejected during timing`);
      },
    })),
    { rounds: s.p.verifyRounds, millis: s.p.verifyMillis, warmupMillis: s.p.verifyWarmupMillis },
  );
  const byName = (name: string) => cases.find((c) => c.name === name)!;
  const ratio = (a: string, b: string, of: 'opsPerSecond' | 'opsPerCpuSecond'): RatioFigure => {
    const x = byName(a);
    const y = byName(b);
    const perRound = x.rounds.map((r, i) => r[of] / y.rounds[i]![of]);
    const m = median(perRound);
    return { median: m, perRound, withinTenPercent: Math.abs(m - 1) <= 0.1 };
  };
  const ratios = (of: 'opsPerSecond' | 'opsPerCpuSecond') => ({
    licences: ratio(CASES.smallLicences, CASES.largeLicences, of),
    departments: ratio(CASES.smallDepartments, CASES.largeDepartments, of),
    sameConfiguration: ratio(CASES.largeLicences, CASES.largeDepartments, of),
  });
  return {
    licences: n,
    licenceRegion: region.code,
    cases,
    ratios: ratios('opsPerCpuSecond'),
    wallRatios: ratios('opsPerSecond'),
    checks: { accepted: true, recognizedLocalType, revokedProbe: revokedReasons },
  };
}
