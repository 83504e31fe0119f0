/**
 * Profiles batch issuance: runs the issuance bench against a node started with
 * `--cpu-prof`, then writes the node's .cpuprofile and a text summary of where
 * its time went to bench-results/profiles/issuance-<date>[-<label>]/.
 *
 *   npm run build && DATABASE_URL=postgres://… node dist/scripts/bench/profileIssuance.js [label]
 *
 * BENCH_BATCHES (default 5) batches of 1,000; BENCH_SINGLES (default 50).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../src/repoPath';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { startBenchNode } from './benchNode';
import { cpuProfileReport } from './cpuProfileSummary';
import { issuanceBench } from './issuanceBench';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

async function main(): Promise<void> {
  const label = process.argv[2] ? `-${process.argv[2]}` : '';
  const dir = repoPath('bench-results', 'profiles', `issuance-${new Date().toISOString().slice(0, 10)}${label}`);
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const bench = await startBenchNode({ execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const load = loadavg();
  let summary = '';
  try {
    const catalog = StandardsCatalog.load();
    const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;
    const typeCode = catalog.getTypeBySlug('business-licence')!.typeCode;
    const issuer = bench.credentials.keys.find((k) => k.role === 'issuer' && k.department?.licenceTypes.some((t) => t.typeCode === typeCode))!;
    const r = await issuanceBench(
      { node: bench.node, store: bench.store, issuerKey: issuer.secret, issueBody: { typeCode, data: sample.draft } },
      { batches: num('BENCH_BATCHES', 5), recordsPerBatch: 1000, singles: num('BENCH_SINGLES', 50), rounds: 1, millis: 300 },
    );
    summary =
      `store ${r.store}, ${r.algorithm}; load average at start ${load.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n` +
      `batch ${r.batch.batches} x ${r.batch.recordsPerBatch}: ${r.batch.licencesPerSecond.toFixed(0)} licences/s (rounds ${r.batch.rounds.map((x) => x.toFixed(0)).join(', ')}) — under --cpu-prof, slower than the bench\n` +
      `single p50 ${r.single.p50Ms.toFixed(1)} ms, p99 ${r.single.p99Ms.toFixed(1)} ms\n\n`;
  } finally {
    await bench.close();
  }
  const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  for (const f of profiles) summary += cpuProfileReport(join(dir, f), repoPath()) + '\n';
  writeFileSync(join(dir, 'summary.txt'), summary);
  process.stdout.write(summary);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
