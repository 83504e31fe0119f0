/**
 * Profiles in-process verification: full-form verifyLicense and QR
 * verifyCompactLicense of the demo region's ES256 business licences, each loop
 * under the V8 profiler (node:inspector, in this process, so only the timed
 * loop is sampled, not the set-up). Writes one .cpuprofile per loop and a text
 * summary of the top self/total time functions to
 * bench-results/profiles/verify-<date>[-<label>]/.
 *
 *   npm run build && node dist/scripts/bench/profileVerification.js [label]
 *
 * BENCH_PROFILE_MILLIS per loop (default 4000), BENCH_LICENCES distinct licences (default 256).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { encodeCompactLicense } from '../../src/forms/qr/compactLicense';
import { repoPath } from '../../src/repoPath';
import { verifyCompactLicense } from '../../src/verify/forms/verifyCompactLicense';
import { createVerifierCaches, verifyLicense } from '../../src/verify/verifyLicense';
import { cpuProfileReport } from './cpuProfileSummary';
import { issueBenchLicences } from './benchLicences';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

async function profiled(session: Session, file: string, millis: number, op: (i: number) => void): Promise<{ ops: number; perSecond: number }> {
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  const start = process.hrtime.bigint();
  const end = start + BigInt(millis) * 1_000_000n;
  let ops = 0;
  let now = start;
  while (now < end) {
    for (let k = 0; k < 50; k++) op(ops++);
    now = process.hrtime.bigint();
  }
  const { profile } = await post<{ profile: object }>(session, 'Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  return { ops, perSecond: ops / (Number(now - start) / 1e9) };
}

async function main(): Promise<void> {
  const label = process.argv[2] ? `-${process.argv[2]}` : '';
  const dir = repoPath('bench-results', 'profiles', `verify-${new Date().toISOString().slice(0, 10)}${label}`);
  mkdirSync(dir, { recursive: true });
  const millis = num('BENCH_PROFILE_MILLIS', 4000);
  const count = num('BENCH_LICENCES', 256);

  const now = new Date();
  const { catalog, demo, standard, signer, forms: signed, signedAt } = await issueBenchLicences({ now, count });
  const forms = signed.map((form) => Buffer.from(JSON.stringify(form)));
  const texts: string[] = [];
  for (let i = 0; i < signed.length; i++) texts.push(await encodeCompactLicense(signed[i]!, standard, signer, signedAt(i)));

  const ctx = { trust: demo.trust, catalog, at: now, caches: createVerifierCaches() };
  for (const f of forms) if (verifyLicense(f, ctx).result !== 'accepted') throw new Error('bench licence rejected');
  for (const t of texts) if (verifyCompactLicense(t, ctx).result !== 'accepted') throw new Error('bench QR rejected');
  // Warm the JIT before sampling.
  for (let i = 0; i < 2000; i++) {
    verifyLicense(forms[i % count]!, ctx);
    verifyCompactLicense(texts[i % count]!, ctx);
  }

  const session = new Session();
  session.connect();
  const load = loadavg();
  const full = await profiled(session, join(dir, 'full-form.cpuprofile'), millis, (i) => {
    if (verifyLicense(forms[i % count]!, ctx).result !== 'accepted') throw new Error('verify failed');
  });
  const qr = await profiled(session, join(dir, 'qr.cpuprofile'), millis, (i) => {
    if (verifyCompactLicense(texts[i % count]!, ctx).result !== 'accepted') throw new Error('verify failed');
  });
  session.disconnect();
  let summary =
    `load average at start ${load.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores shared)\n` +
    `full form: ${full.perSecond.toFixed(0)} /s under the profiler (${full.ops} verifications, ~${forms[0]!.length} bytes each)\n` +
    `QR:        ${qr.perSecond.toFixed(0)} /s under the profiler (${qr.ops} verifications)\n\n`;
  summary += cpuProfileReport(join(dir, 'full-form.cpuprofile'), repoPath()) + '\n';
  summary += cpuProfileReport(join(dir, 'qr.cpuprofile'), repoPath()) + '\n';
  writeFileSync(join(dir, 'summary.txt'), summary);
  process.stdout.write(summary);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
