/**
 * `npm run bench`: the speed targets of product.md section 6, each measured as
 * a ratio against a baseline taken in the same run. Prints the figures and
 * writes them to bench-results/bench.json.
 *
 * Options (environment): BENCH_ROUNDS (default 5), BENCH_MILLIS per round and case (default 1000),
 * BENCH_LICENCES distinct licences cycled through (default 256).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { repoPath } from '../src/repoPath';
import { verificationBench } from './bench/verificationBench';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

async function main(): Promise<void> {
  const rounds = num('BENCH_ROUNDS', 5);
  const millis = num('BENCH_MILLIS', 1000);
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
  const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

  const verification = await verificationBench({ licences: num('BENCH_LICENCES', 256), rounds, millis });
  process.stdout.write(`\nIn-process verification, full-form ES256 licences (${verification.licences} distinct, ~${verification.fullFormBytes} bytes each)\n`);
  for (const c of verification.cases) process.stdout.write(`  ${c.name.padEnd(62)} ${fmt(c.opsPerSecond).padStart(8)} /s\n`);
  process.stdout.write(`  ratio elicense / raw verify: ${verification.ratioToRawVerify.toFixed(3)}  (target >= 0.8)\n`);
  process.stdout.write(`  ratio jose / raw verify:     ${verification.joseRatioToRawVerify.toFixed(3)}  (peer, for comparison)\n`);

  const out = repoPath('bench-results', 'bench.json');
  mkdirSync(repoPath('bench-results'), { recursive: true });
  writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), machine, rounds, millisPerRound: millis, verification }, null, 2));
  process.stdout.write(`\nwritten ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
