/**
 * `npm run scale:federation`: the federation scale simulation of issue 5 —
 * 32 regions × 50 departments, status lists covering 10^6 licences per
 * region, served on loopback on the node's paths and pulled by one node's
 * real FederationSync into its real database (PGlite in a temp directory, or
 * a scratch database on the PostgreSQL server of DATABASE_URL). Prints the
 * figures (progress goes to stderr) and writes them to
 * bench-results/federation-scale.json.
 *
 * Sizes and timing (environment): SCALE_REGIONS (32), SCALE_DEPARTMENTS (50 per region),
 * SCALE_LICENCES (1000000 per region), SCALE_REVOKED (0.01), SCALE_SUSPENDED (0.002),
 * SCALE_CHANGED (0.001), SCALE_SMALL_LICENCES (1000), SCALE_SMALL_DEPARTMENTS (10),
 * SCALE_VERIFY_LICENCES (20), SCALE_VERIFY_ROUNDS (30), SCALE_VERIFY_MILLIS (250 per round and case),
 * SCALE_VERIFY_WARMUP_MILLIS (500),
 * SCALE_SEED, SCALE_OUT (output file).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { repoPath } from '../src/repoPath';
import { MAX_DOCUMENT_BYTES } from '../src/trust/peer/federationDocument';
import { FULL_SIZE, runFederationScale, type FederationScaleResult, type ScaleParams } from './federationScale/runFederationScale';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return v;
};

export function paramsFromEnv(): ScaleParams {
  return {
    regions: num('SCALE_REGIONS', FULL_SIZE.regions),
    departmentsPerRegion: num('SCALE_DEPARTMENTS', FULL_SIZE.departmentsPerRegion),
    licencesPerRegion: num('SCALE_LICENCES', FULL_SIZE.licencesPerRegion),
    revokedShare: num('SCALE_REVOKED', FULL_SIZE.revokedShare),
    suspendedShare: num('SCALE_SUSPENDED', FULL_SIZE.suspendedShare),
    changedShare: num('SCALE_CHANGED', FULL_SIZE.changedShare),
    smallLicencesPerRegion: num('SCALE_SMALL_LICENCES', FULL_SIZE.smallLicencesPerRegion),
    smallDepartments: num('SCALE_SMALL_DEPARTMENTS', FULL_SIZE.smallDepartments),
    verifyLicences: num('SCALE_VERIFY_LICENCES', FULL_SIZE.verifyLicences),
    verifyRounds: num('SCALE_VERIFY_ROUNDS', FULL_SIZE.verifyRounds),
    verifyMillis: num('SCALE_VERIFY_MILLIS', FULL_SIZE.verifyMillis),
    verifyWarmupMillis: num('SCALE_VERIFY_WARMUP_MILLIS', num('SCALE_VERIFY_MILLIS', FULL_SIZE.verifyWarmupMillis)),
    seed: num('SCALE_SEED', FULL_SIZE.seed),
  };
}

const kib = (b: number): string => `${(b / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} KiB`;
const mib = (b: number): string => `${(b / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;
const ms = (x: number): string => `${x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : 0 })} ms`;
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? 0;
};
const n = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** The figures as text (stdout). */
export function report(r: FederationScaleResult): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  const p = r.parameters;
  line(`Federation scale simulation: ${p.regions} regions × ${p.departmentsPerRegion} departments, ${n(p.licencesPerRegion)} licences per region`);
  line(`  status lists: ${r.layout.description}`);
  line(`  ~${(p.revokedShare * 100).toFixed(1)}% revoked (${n(r.layout.revokedPerRegion)}), ~${(p.suspendedShare * 100).toFixed(1)}% suspended (${n(r.layout.suspendedPerRegion)}) per region at random slots; ${n(r.layout.licencesCovered)} licences in all`);
  line(`  syncing node: region ${r.layout.ownRegion.code} ${r.layout.ownRegion.name}, database ${r.store === 'postgres' ? 'PostgreSQL (scratch database)' : 'embedded PGlite (temp directory; set DATABASE_URL for PostgreSQL)'}`);
  line(`  set-up: ceremonies and signing ${ms(r.setupMs.regions)}, database ${ms(r.setupMs.database)}`);
  line();
  line('Signed documents');
  line(`  ${n(r.documents.count)} documents, ${mib(r.documents.totalBytes)} (${mib(r.documents.totalGzipBytes)} if gzip-compressed; the node serves them uncompressed)`);
  line(`  trust list: ${kib(r.documents.trustListBytes.perRegion)} per region, ${n(r.documents.trustListBytes.perDepartment)} bytes per department → the ${Math.round(MAX_DOCUMENT_BYTES / 1048576)} MiB document cap holds ~${n(r.documents.departmentsPerTrustListCap)} departments`);
  line(`  status lists: ${kib(r.documents.statusListBytes.perList)} per list, ${kib(r.documents.statusListBytes.perRegion)} per region; agreement ${kib(r.documents.agreementBytes.perRegion)}`);
  line();
  line('Sync rounds (one node, real FederationSync and database; peers on loopback in this process)');
  for (const x of r.sync.rounds) {
    line(`  ${x.round.padEnd(30)} ${ms(x.wallMs).padStart(10)} wall, ${ms(x.cpuMs).padStart(10)} CPU; ${n(x.wire.requests)} requests (${n(x.wire.status200)} × 200, ${n(x.wire.status304)} × 304); ` +
      `${x.documentsAccepted} accepted, ${x.documentsUnchanged} unchanged; bodies ${mib(x.payloadBytes)}, wire ${mib(x.wire.totalBytes)} (in ${kib(x.wire.bytesIn)}, out ${mib(x.wire.bytesOut)}); ` +
      `federation_version +${n(x.federationVersionBumps)}`);
  }
  line(`  before the last round: ${n(r.sync.changedLicencesPerRegion)} licences per region changed status → ${n(r.sync.statusListsResigned)} status lists re-signed (${ms(r.sync.resignMs)})`);
  line();
  const m = r.memory;
  line(`Memory of the node's peer trust (buildPeers + new FederatedTrust from the stored documents; gc: ${m.gc})`);
  line(`  ${m.peers} peers, ${n(m.departments)} departments, ${n(m.statusLists)} status lists (${mib(m.statusBitsBytes)} of status bits)`);
  line(`  stored: ${mib(m.storedDocumentBytes)} of documents${m.peerDocumentsTableBytes !== null ? `, peer_documents table ${mib(m.peerDocumentsTableBytes)}` : ''}; load ${ms(m.loadMs)}, build ${ms(m.buildMs)} (buildPeers ${ms(m.buildPeersMs)}, new FederatedTrust ${ms(m.federatedTrustMs)})`);
  line(`  heap used +${mib(m.heapUsedDelta)}, array buffers +${mib(m.arrayBuffersDelta)}, external +${mib(m.externalDelta)}, RSS +${mib(m.rssDelta)} (RSS now ${mib(m.rssAfter)}, includes the in-process database when embedded)`);
  line();
  const v = r.verification;
  line(`Verification through FederatedTrust.combine + verifyLicense (${v.licences} distinct ES256 licences of region ${v.licenceRegion}, warm caches,`);
  line(`${p.verifyRounds} interleaved rounds ABCD/DCBA of ${p.verifyMillis} ms per case; medians; per CPU-second = per second of this process's CPU time)`);
  for (const c of v.cases) line(`  ${c.name.padEnd(52)} ${n(c.opsPerCpuSecond).padStart(7)} /CPU-s ${n(c.opsPerSecond).padStart(7)} /s wall`);
  const ratioLine = (label: string, x: FederationScaleResult['verification']['ratios']['licences'], wall: FederationScaleResult['verification']['ratios']['licences']) =>
    line(`  ${label.padEnd(40)} ${x.median.toFixed(3)} (quartiles ${quantile(x.perRound, 0.25).toFixed(3)}..${quantile(x.perRound, 0.75).toFixed(3)})${x.withinTenPercent ? ' within 10%' : ' NOT within 10%'}; wall clock ${wall.median.toFixed(3)} (quartiles ${quantile(wall.perRound, 0.25).toFixed(3)}..${quantile(wall.perRound, 0.75).toFixed(3)})`);
  ratioLine('ratio a) small / large status data', v.ratios.licences, v.wallRatios.licences);
  ratioLine('ratio b) few / many departments', v.ratios.departments, v.wallRatios.departments);
  ratioLine('same configuration twice (noise floor)', v.ratios.sameConfiguration, v.wallRatios.sameConfiguration);
  line(`  checks: every licence accepted as local type ${v.checks.recognizedLocalType}; revoked probe → ${v.checks.revokedProbe.join(', ')}`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const params = paramsFromEnv();
  const started = Date.now();
  const result = await runFederationScale(params, {
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    progress: (msg) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`),
  });
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory: totalmem() };
  process.stdout.write(`${report(result)}\n`);
  const out = process.env['SCALE_OUT'] || repoPath('bench-results', 'federation-scale.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...result, machine, command: 'npm run build && npm run scale:federation', totalSeconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
  process.stdout.write(`\nwritten ${out} (${((Date.now() - started) / 1000).toFixed(0)} s in all)\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
