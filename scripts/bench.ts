/**
 * `npm run bench`: the speed targets of docs/product.md section 6, each measured as
 * a ratio against a baseline taken in the same run. Prints the figures and
 * writes them to bench-results/bench.json.
 *
 * Options (environment): BENCH_ROUNDS (default 5), BENCH_MILLIS per round and case (default 1000),
 * BENCH_LICENCES distinct licences cycled through (default 256), BENCH_HTTP_SECONDS per HTTP round
 * (default 3), BENCH_HTTP_CONNECTIONS (default 16), BENCH_BATCHES of 1,000 licences (default 5),
 * BENCH_SINGLES single issuances timed (default 200), BENCH_ONLY (comma list of verification, workers, http,
 * issuance, forms, sm2, batch, memory; default all), BENCH_BATCH_CLIENTS batch verification requests in
 * flight (default 2), BENCH_MEMORY_SECONDS idle after first start and saturated load, each (default 60; 20 for a quick run), BENCH_SM2_OPENSSL_SECONDS for `openssl speed sm2` (default 3), BENCH_PDF_RENDERS PDFs timed per variant (default 200), BENCH_QR_TEXTS distinct
 * QR texts cycled through (default 64), BENCH_WORKERS threads of the workers case (default: the cores), BENCH_VERIFY_WORKERS
 * the HTTP case's second node's ELICENSE_VERIFY_WORKERS (default auto; off leaves that node out), BENCH_PROCESSES its
 * third node's ELICENSE_PROCESSES (PostgreSQL only; default auto; off leaves it out). The node cases run the compiled node as a child process, on PostgreSQL when
 * DATABASE_URL is set (a new database, dropped afterwards), else on the embedded store.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { repoPath } from '../src/repoPath';
import { loadSampleLicenses } from '../src/demo/sampleDraft';
import { StandardsCatalog } from '../src/standards/StandardsCatalog';
import { startBenchNode } from './bench/benchNode';
import { startChildNode, type ChildNode } from './bench/childNode';
import { httpVerificationBench, type HttpVerificationBenchResult } from './bench/httpVerificationBench';
import { formsBench, type FormsBenchResult } from './bench/formsBench';
import { sm2Bench, type Sm2BenchResult } from './bench/sm2Bench';
import { issuanceBench, type IssuanceBenchResult } from './bench/issuanceBench';
import { verificationBench, type VerificationBenchResult } from './bench/verificationBench';
import { workersBench, type WorkersBenchResult } from './bench/workersBench';
import { batchVerificationBench, type BatchVerificationBenchResult } from './bench/batchVerificationBench';
import { MEMORY_TARGET_MB, storesMemory, type MemoryBenchResult, type StoreMemoryResult } from './bench/memoryBench';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

async function main(): Promise<void> {
  const rounds = num('BENCH_ROUNDS', 5);
  const millis = num('BENCH_MILLIS', 1000);
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
  const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

  const only = new Set((process.env['BENCH_ONLY'] ?? 'verification,workers,http,issuance,forms,sm2,batch,memory').split(',').map((x) => x.trim()));

  let verification: VerificationBenchResult | undefined;
  if (only.has('verification')) {
    verification = await verificationBench({ licences: num('BENCH_LICENCES', 256), rounds, millis });
    process.stdout.write(`\nIn-process verification, full-form ES256 licences (${verification.licences} distinct, ~${verification.fullFormBytes} bytes each)\n`);
    for (const c of verification.cases) process.stdout.write(`  ${c.name.padEnd(62)} ${fmt(c.opsPerSecond).padStart(8)} /s\n`);
    process.stdout.write(`  ratio elicense / raw verify: ${verification.ratioToRawVerify.toFixed(3)}  (target >= 0.8)\n`);
    process.stdout.write(`  ratio jose / raw verify:     ${verification.joseRatioToRawVerify.toFixed(3)}  (peer, for comparison)\n`);
    process.stdout.write(`  ratio elicense / two-signature floor (raw verify / ${verification.signaturesPerLicence}: department signature + region timestamp): ${verification.ratioToTwoSignatureFloor.toFixed(3)}\n`);
    process.stdout.write(`  ratio peer licence verify / raw verify: ${verification.peerRatioToRawVerify.toFixed(3)}  (target >= 0.8)\n`);
    process.stdout.write(`  ratio peer licence verify / own-region verify: ${verification.peerRatioToOwn.toFixed(3)}\n`);
  }

  let workers: WorkersBenchResult | undefined;
  if (only.has('workers')) {
    workers = await workersBench({ licences: num('BENCH_LICENCES', 256), rounds, millis: Math.max(millis, 2000), ...(process.env['BENCH_WORKERS'] ? { workers: num('BENCH_WORKERS', cpus().length) } : {}) });
    const w = workers;
    process.stdout.write(`\nIn-process verification on worker threads (src/verify/workers), full-form ES256 licences, ${w.inFlightPerWorker} in flight per worker, ${w.cores} cores; load average ${w.loadAverage.start.map((x) => x.toFixed(2)).join(' ')} at start\n`);
    for (const c of w.cases) process.stdout.write(`  ${c.name.padEnd(62)} ${fmt(c.opsPerSecond).padStart(8)} /s   (${c.coresBusy.toFixed(2)} cores busy)\n`);
    process.stdout.write(`  scaling ${w.workers} workers / (${w.workers} x 1 worker): ${w.scaling.toFixed(3)}  (target >= 0.85)\n`);
    process.stdout.write(`  ratio 1 pooled worker / verifyLicense in the calling thread: ${w.oneWorkerToInProcess.toFixed(3)}\n`);
    process.stdout.write(`  scaling per CPU second the process got (N workers / 1 worker, each rate / cores busy): ${w.scalingPerCpuSecond.toFixed(3)}  (shared machine: N workers may not get N cores)\n`);
    for (const r of w.rawThreads) process.stdout.write(`  ${`raw node:crypto P-256 verify on ${r.threads} thread(s) at once`.padEnd(62)} ${fmt(r.opsPerSecond).padStart(8)} /s\n`);
    process.stdout.write(`  machine ceiling now: raw verify on ${w.workers} threads / (${w.workers} x 1 thread): ${w.rawThreadScaling.toFixed(3)}  (the pool's scaling is judged beside it)\n`);
  }

  let http: HttpVerificationBenchResult | undefined;
  let issuance: IssuanceBenchResult | undefined;
  if (only.has('http') || only.has('issuance')) {
    const bench = await startBenchNode();
    try {
      const catalog = StandardsCatalog.load();
      const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;
      const typeCode = catalog.getTypeBySlug('business-licence')!.typeCode;
      const issuer = bench.credentials.keys.find((k) => k.role === 'issuer' && k.department?.licenceTypes.some((t) => t.typeCode === typeCode))!;
      const issueBody = { typeCode, data: sample.draft };
      const store = bench.store === 'postgres' ? 'PostgreSQL' : 'embedded store (PGlite; set DATABASE_URL for PostgreSQL)';

      if (only.has('http')) {
        const issued = await fetch(`${bench.node.url}/v1/licenses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.secret}` }, body: JSON.stringify(issueBody) });
        const fullForm = await issued.text();
        if (issued.status !== 201) throw new Error(`could not issue the bench licence: ${issued.status} ${fullForm.slice(0, 300)}`);
        const check = (await (await fetch(`${bench.node.url}/v1/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fullForm })).json()) as { result: string; reasons: string[] };
        if (check.result !== 'accepted') throw new Error(`bench licence not accepted: ${check.reasons.join(',')}`);
        const echo = await startChildNode({ env: {}, script: repoPath('dist', 'scripts', 'bench', 'echoServer.js') });
        // The same node with verifier threads (issue 17 item 3), and with one process per core on PostgreSQL, each on
        // a database of its own, with a licence of its own region.
        const workersSetting = process.env['BENCH_VERIFY_WORKERS'] ?? 'auto';
        const processesSetting = process.env['BENCH_PROCESSES'] ?? 'auto';
        const pooledBench = workersSetting === 'off' ? undefined : await startBenchNode({ env: { ELICENSE_VERIFY_WORKERS: workersSetting } });
        const clusteredBench = processesSetting === 'off' || bench.store !== 'postgres' ? undefined : await startBenchNode({ env: { ELICENSE_PROCESSES: processesSetting } });
        try {
          const ownLicence = async (b: typeof bench, what: string): Promise<string> => {
            const key = b.credentials.keys.find((k) => k.role === 'issuer' && k.department?.licenceTypes.some((t) => t.typeCode === typeCode))!;
            const r = await fetch(`${b.node.url}/v1/licenses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` }, body: JSON.stringify(issueBody) });
            const form = await r.text();
            if (r.status !== 201) throw new Error(`could not issue the bench licence (${what}): ${r.status} ${form.slice(0, 300)}`);
            const ok = (await (await fetch(`${b.node.url}/v1/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: form })).json()) as { result: string };
            if (ok.result !== 'accepted') throw new Error(`bench licence not accepted (${what})`);
            return form;
          };
          const pooled = pooledBench ? { node: pooledBench.node, fullForm: await ownLicence(pooledBench, 'verifier threads'), setting: workersSetting } : undefined;
          const clustered = clusteredBench ? { node: clusteredBench.node, fullForm: await ownLicence(clusteredBench, 'processes'), setting: processesSetting } : undefined;
          http = await httpVerificationBench({
            node: bench.node,
            echo,
            fullForm,
            ...(pooled ? { pooled } : {}),
            ...(clustered ? { clustered } : {}),
            rounds,
            seconds: num('BENCH_HTTP_SECONDS', 3),
            connections: num('BENCH_HTTP_CONNECTIONS', 16),
          });
        } finally {
          await echo.stop();
          await pooledBench?.close();
          await clusteredBench?.close();
        }
        process.stdout.write(`\nHTTP verification (autocannon, ${http.connections} connections, ${http.bodyBytes}-byte full form, node on ${store}, server and client on this machine)\n`);
        for (const c of http.cases) process.stdout.write(`  ${c.name.padEnd(62)} ${fmt(c.requestsPerSecond).padStart(8)} /s   p50 ${c.latencyMs.p50} ms, p99 ${c.latencyMs.p99} ms\n`);
        process.stdout.write(`  ratio verification / echo: ${http.ratioToEcho.toFixed(3)}  (target >= 0.6)\n`);
        if (http.workers) {
          process.stdout.write(`  ratio verification with ELICENSE_VERIFY_WORKERS=${http.workers.setting} / echo: ${http.workers.ratioToEcho.toFixed(3)}  (target >= 0.6; the echo uses one thread, the node every core)\n`);
          process.stdout.write(`  ratio verification with ELICENSE_VERIFY_WORKERS=${http.workers.setting} / without: ${http.workers.ratioToOneThread.toFixed(3)}\n`);
        }
        if (http.processes) {
          process.stdout.write(`  ratio verification with ELICENSE_PROCESSES=${http.processes.setting} / echo: ${http.processes.ratioToEcho.toFixed(3)}  (target >= 0.6; the echo is one process, the node one per core)\n`);
          process.stdout.write(`  ratio verification with ELICENSE_PROCESSES=${http.processes.setting} / one process: ${http.processes.ratioToOneProcess.toFixed(3)}\n`);
        }
        for (const c of http.cases) {
          const server = c.serverCpuMicrosPerRequest === null ? 'server CPU n/a' : `server CPU ${fmt(c.serverCpuMicrosPerRequest)} µs per request (${c.serverCores!.toFixed(2)} cores)`;
          process.stdout.write(`  ${`CPU, ${c.name}`.padEnd(62)} ${server}, load generator ${c.generatorCores.toFixed(2)} cores\n`);
        }
      }

      if (only.has('issuance')) {
        issuance = await issuanceBench({ node: bench.node, store: bench.store, issuerKey: issuer.secret, issueBody }, { batches: num('BENCH_BATCHES', 5), recordsPerBatch: 1000, singles: num('BENCH_SINGLES', 200), rounds, millis });
        process.stdout.write(`\nIssuance over HTTP on ${store}, ${issuance.algorithm} department signatures + region timestamp, no PDF\n`);
        process.stdout.write(`  ${'raw node:crypto ECDSA P-256 sign (one core)'.padEnd(62)} ${fmt(issuance.rawSignPerSecond).padStart(8)} /s\n`);
        process.stdout.write(`  ${`batch POST /v1/licenses/batch (${issuance.batch.batches} x ${issuance.batch.recordsPerBatch})`.padEnd(62)} ${fmt(issuance.batch.licencesPerSecond).padStart(8)} licences/s  (target >= 1,000)\n`);
        process.stdout.write(`  ratio batch issuance / raw sign: ${issuance.ratioToRawSign.toFixed(3)}\n`);
        const cpu = issuance.batch.nodeCpuMsPerLicence;
        process.stdout.write(
          `  batch issuance (issue 17): ${fmt(issuance.batch.licencesPerSecond)} licences/s  (target >= 3,000 on PostgreSQL); node CPU ${cpu === null ? 'n/a' : `${cpu.toFixed(2)} ms`} per licence, load average ${issuance.batch.loadAverage.map((x) => x.toFixed(2)).join(' -> ')} on ${machine.cores} cores\n`,
        );
        process.stdout.write(`  single POST /v1/licenses, sequential (${issuance.single.requests}): p50 ${issuance.single.p50Ms.toFixed(1)} ms, p99 ${issuance.single.p99Ms.toFixed(1)} ms\n`);
      }
    } finally {
      await bench.close();
    }
  }
  let forms: FormsBenchResult | undefined;
  if (only.has('forms')) {
    forms = await formsBench({ renders: num('BENCH_PDF_RENDERS', 200), rounds, millis, qrTexts: num('BENCH_QR_TEXTS', 64) });
    const t = (x: { medianMs: number; p95Ms: number }) => `median ${x.medianMs.toFixed(2)} ms, p95 ${x.p95Ms.toFixed(2)} ms`;
    process.stdout.write(`\nLicence forms (${forms.licenceTypes} demo types cycled, CJK font subset per document, QR printed)\n`);
    process.stdout.write(`  ${'PDF render, unsigned'.padEnd(40)} ${t(forms.pdf.unsigned)}  (target median <= 15 ms)\n`);
    process.stdout.write(`  ${'PDF render, PAdES-signed'.padEnd(40)} ${t(forms.pdf.signed)}  (target median <= 25 ms)\n`);
    process.stdout.write(`  ${'PDF size, signed'.padEnd(40)} median ${(forms.pdf.sizeBytes.median / 1024).toFixed(1)} KB, max ${(forms.pdf.sizeBytes.max / 1024).toFixed(1)} KB  (target <= 60 KB)\n`);
    process.stdout.write(`  ${'QR encode + sign (ES256)'.padEnd(40)} ${t(forms.qr.encodeAndSign)}\n`);
    process.stdout.write(`  ${'QR read from its PNG (ZXing wasm)'.padEnd(40)} ${t(forms.qr.readPng)}\n`);
    process.stdout.write(`  QR versions at level Q: ${Object.entries(forms.qr.versionByType).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    for (const c of forms.qr.verification) process.stdout.write(`  ${c.name.padEnd(62)} ${fmt(c.opsPerSecond).padStart(8)} /s\n`);
    process.stdout.write(`  ratio QR verification / raw verify: ${forms.qr.ratioToRawVerify.toFixed(3)}  (target >= 0.8)\n`);
  }
  let sm2: Sm2BenchResult | undefined;
  if (only.has('sm2')) {
    sm2 = await sm2Bench({ rounds, millis, opensslSeconds: num('BENCH_SM2_OPENSSL_SECONDS', 3), messages: 64 });
    process.stdout.write(`\nSM2 with SM3, default ID 1234567812345678 (one key, 64 distinct 600-byte messages, one core)\n`);
    for (const c of sm2.cases) process.stdout.write(`  ${c.name.padEnd(62)} ${fmt(c.opsPerSecond).padStart(8)} /s\n`);
    if ('verifyPerSecond' in sm2.openssl) {
      process.stdout.write(`  ${`openssl speed -seconds ${sm2.opensslSeconds} sm2, verify`.padEnd(62)} ${fmt(sm2.openssl.verifyPerSecond).padStart(8)} /s\n`);
      for (const r of sm2.ratios) process.stdout.write(`  ratio ${r.backend} sm2Verify / openssl verify: ${r.ratioToOpenSsl.toFixed(3)}  (target >= 0.5)\n`);
      if (sm2.fullForm?.ratioToOpenSsl != null) process.stdout.write(`  ratio SM2 full-form verifyLicense (${sm2.fullForm.backend}) / openssl verify: ${sm2.fullForm.ratioToOpenSsl.toFixed(3)}\n`);
    } else {
      process.stdout.write(`  openssl speed sm2: not measured, ${sm2.openssl.missing}\n`);
    }
  }
  let batchVerification: BatchVerificationBenchResult | undefined;
  let batchVerificationWorkers: BatchVerificationBenchResult | undefined;
  if (only.has('batch')) {
    const bench = await startBenchNode();
    try {
      const catalog = StandardsCatalog.load();
      const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;
      const typeCode = catalog.getTypeBySlug('business-licence')!.typeCode;
      const issuer = bench.credentials.keys.find((k) => k.role === 'issuer' && k.department?.licenceTypes.some((t) => t.typeCode === typeCode))!;
      const store = bench.store === 'postgres' ? 'PostgreSQL' : 'embedded store (PGlite; set DATABASE_URL for PostgreSQL)';
      batchVerification = await batchVerificationBench(
        { node: bench.node, store: bench.store, issuerKey: issuer.secret, issueBody: { typeCode, data: sample.draft } },
        { itemsPerBatch: 1000, clients: num('BENCH_BATCH_CLIENTS', 2), rounds, seconds: num('BENCH_HTTP_SECONDS', 3), millis },
      );
      const b = batchVerification;
      process.stdout.write(`\nBatch verification over HTTP (${b.itemsPerBatch} distinct full forms per request, ~${b.itemBytes} bytes each, ${b.clients} requests in flight, node on ${store}, server and client on this machine)\n`);
      for (const c of b.cases) process.stdout.write(`  ${c.name.padEnd(62)} ${fmt(c.opsPerSecond).padStart(8)} ${c === b.cases[0] ? '/s' : 'licences/s'}\n`);
      process.stdout.write(`  batch request latency: p50 ${b.latencyMs.p50} ms, p99 ${b.latencyMs.p99} ms\n`);
      process.stdout.write(`  ratio batch verification / raw verify: ${b.ratioToRawVerify.toFixed(3)}\n`);
      process.stdout.write(`  ratio batch verification / two-signature floor (raw verify / ${b.signaturesPerLicence}: department signature + region timestamp): ${b.ratioToTwoSignatureFloor.toFixed(3)}\n`);
    } finally {
      await bench.close();
    }
    // The same on a node with verifier threads (issue 17 item 3): a batch's items spread over every core.
    const workersSetting = process.env['BENCH_VERIFY_WORKERS'] ?? 'auto';
    if (workersSetting !== 'off' && batchVerification) {
      const pooled = await startBenchNode({ env: { ELICENSE_VERIFY_WORKERS: workersSetting } });
      try {
        const catalog = StandardsCatalog.load();
        const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;
        const typeCode = catalog.getTypeBySlug('business-licence')!.typeCode;
        const issuer = pooled.credentials.keys.find((k) => k.role === 'issuer' && k.department?.licenceTypes.some((t) => t.typeCode === typeCode))!;
        batchVerificationWorkers = await batchVerificationBench(
          { node: pooled.node, store: pooled.store, issuerKey: issuer.secret, issueBody: { typeCode, data: sample.draft } },
          { itemsPerBatch: 1000, clients: num('BENCH_BATCH_CLIENTS', 2), rounds, seconds: num('BENCH_HTTP_SECONDS', 3), millis },
        );
        const w = batchVerificationWorkers;
        process.stdout.write(`  ${`batch verification, ELICENSE_VERIFY_WORKERS=${workersSetting}`.padEnd(62)} ${fmt(w.licencesPerSecond).padStart(8)} licences/s   p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms per batch\n`);
        process.stdout.write(`  ratio batch verification with ELICENSE_VERIFY_WORKERS=${workersSetting} / raw verify (one core): ${w.ratioToRawVerify.toFixed(3)}; / without: ${(w.licencesPerSecond / batchVerification.licencesPerSecond).toFixed(3)}\n`);
      } finally {
        await pooled.close();
      }
    }
  }
  let memory: MemoryBenchResult | undefined;
  if (only.has('memory')) {
    const seconds = num('BENCH_MEMORY_SECONDS', 60);
    const opts = { settleSeconds: seconds, loadSeconds: seconds, connections: num('BENCH_HTTP_CONNECTIONS', 16) };
    const stores: StoreMemoryResult[] = await storesMemory([() => startBenchNode({ store: 'embedded' }), ...(process.env['DATABASE_URL'] ? [() => startBenchNode()] : [])], opts);
    memory = { what: 'RSS of the node process (Linux /proc VmRSS; peak VmHWM); not the load generator, not a PostgreSQL server', stores, targetMb: MEMORY_TARGET_MB };
    const mb = (x: number) => `${x.toFixed(0).padStart(5)} MB`;
    process.stdout.write(`\nMemory of the node process (RSS, MB = 2^20 bytes; the load generator and a PostgreSQL server are not included)\n`);
    for (const m of stores) {
      const name = m.store === 'embedded' ? 'embedded store (PGlite)' : 'PostgreSQL';
      const target = m.store === 'embedded' ? `  (target < ${MEMORY_TARGET_MB} MB)` : '';
      const fresh = m.store === 'embedded' ? 'initdb, migrations, demo region' : 'new database, migrations, demo region';
      process.stdout.write(`  ${`${name}, idle right after first start (${fresh})`.padEnd(90)} ${mb(m.firstStart.ready.rssMb)}  (peak ${m.firstStart.ready.peakMb.toFixed(0)} MB)\n`);
      process.stdout.write(`  ${`${name}, idle ${m.firstStart.settleSeconds} s after first start`.padEnd(90)} ${mb(m.firstStart.settled.rssMb)}${target}\n`);
      process.stdout.write(`  ${`${name}, idle after a restart`.padEnd(90)} ${mb(m.restart.rssMb)}${target}\n`);
      process.stdout.write(`  ${`${name}, after ${m.load.seconds} s of saturated verification (${fmt(m.load.requestsPerSecond)} /s, ${m.load.connections} connections)`.padEnd(90)} ${mb(m.load.end.rssMb)}  (peak ${m.load.end.peakMb.toFixed(0)} MB)\n`);
    }
  }
  const out = repoPath('bench-results', 'bench.json');
  mkdirSync(repoPath('bench-results'), { recursive: true });
  writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), machine, rounds, millisPerRound: millis, verification, workers, httpVerification: http, issuance, forms, sm2, batchVerification, batchVerificationWorkers, memory }, null, 2));
  process.stdout.write(`\nwritten ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
