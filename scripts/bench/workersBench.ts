import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { VerifyWorkerPool } from '../../src/verify/workers/VerifyWorkerPool';
import { createVerifierCaches, verifyLicense } from '../../src/verify/verifyLicense';
import { issueBenchLicences } from './benchLicences';

export interface WorkersCase {
  name: string;
  workers: number;
  /** Verifications per second, median over rounds. */
  opsPerSecond: number;
  rounds: number[];
  /** Process CPU time (all threads) per wall second during the rounds, median: 1.0 is one core busy. */
  coresBusy: number;
}

export interface WorkersBenchResult {
  licences: number;
  cores: number;
  workers: number;
  inFlightPerWorker: number;
  cases: WorkersCase[];
  /** N workers' rate / (N × one worker's rate), target ≥ 0.85. */
  scaling: number;
  /** One pooled worker's rate / verifyLicense in the calling thread (the cost of the thread hop). */
  oneWorkerToInProcess: number;
  /**
   * The machine's own ceiling in the same run: raw node:crypto P-256 verify on N threads / (N × on one
   * thread). On a machine shared with other work this is below 1 too; the pool's scaling is judged beside it.
   */
  rawThreadScaling: number;
  rawThreads: { threads: number; opsPerSecond: number; rounds: number[] }[];
  /**
   * The same scaling per CPU second the process got ((rate / cores busy) of N workers over that of one):
   * on a machine shared with other work, N workers may not get N cores; this shows whether the pool itself
   * wastes CPU as it grows.
   */
  scalingPerCpuSecond: number;
  loadAverage: { start: number[]; end: number[] };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Keeps `inFlight` verifications going on the pool for `millis`; verifications per second and cores busy. */
async function poolRate(pool: VerifyWorkerPool, inputs: Buffer[], at: Date, inFlight: number, millis: number): Promise<{ rate: number; cores: number }> {
  let done = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const end = start + BigInt(millis) * 1_000_000n;
  const lane = async () => {
    while (process.hrtime.bigint() < end) {
      const r = await pool.verify(inputs[next++ % inputs.length]!, { at });
      if (r.result !== 'accepted') throw new Error(`pooled verification rejected: ${r.reasons.join(',')}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rate: done / seconds, cores: (used.user + used.system) / 1e6 / seconds };
}

function inProcessRate(run: (i: number) => void, millis: number): { rate: number; cores: number } {
  let ops = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const end = start + BigInt(millis) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let k = 0; k < 20; k++) run(ops++);
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rate: ops / seconds, cores: (used.user + used.system) / 1e6 / seconds };
}

/**
 * Verification on every core, in process: the worker-thread pool
 * (src/verify/workers) with one worker and with N (default: the machine's
 * cores), full-form ES256 licences kept in flight, against N × the one-worker
 * rate (target ≥ 0.85), and verifyLicense in the calling thread for the cost of
 * the thread hop. Rounds interleaved (1, N, in-process, ...), medians.
 */
export async function workersBench(opts: { licences: number; rounds: number; millis: number; workers?: number; inFlightPerWorker?: number }): Promise<WorkersBenchResult> {
  const now = new Date();
  const { catalog, demo, forms } = await issueBenchLicences({ now, count: opts.licences });
  const inputs = forms.map((form) => Buffer.from(JSON.stringify(form)));
  const workers = opts.workers ?? availableParallelism();
  const inFlightPerWorker = opts.inFlightPerWorker ?? 8;
  const source = { kind: 'local-trust-file' as const, text: JSON.stringify(demo.trustFile), source: 'demo trust file' };
  const one = new VerifyWorkerPool({ workers: 1 });
  const many = new VerifyWorkerPool({ workers });
  const ctx = { trust: demo.trust, catalog, at: now, caches: createVerifierCaches() };
  const load = loadavg();
  try {
    one.setTrust(1, source);
    many.setTrust(1, source);
    // Warm-up: every worker started, trust built, JIT warm.
    await poolRate(one, inputs, now, inFlightPerWorker, 1000);
    await poolRate(many, inputs, now, inFlightPerWorker * workers, 1000);
    inProcessRate((i) => verifyLicense(inputs[i % inputs.length]!, ctx), 500);
    const rounds = { one: [] as { rate: number; cores: number }[], many: [] as { rate: number; cores: number }[], local: [] as { rate: number; cores: number }[] };
    // The machine's ceiling, in the same rounds (a shared machine's load changes from second to second).
    const raw1: number[] = [];
    const rawN: number[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      raw1.push(await rawVerifyThreads(1, opts.millis));
      rawN.push(await rawVerifyThreads(workers, opts.millis));
      rounds.one.push(await poolRate(one, inputs, now, inFlightPerWorker, opts.millis));
      rounds.many.push(await poolRate(many, inputs, now, inFlightPerWorker * workers, opts.millis));
      rounds.local.push(
        inProcessRate((i) => {
          if (verifyLicense(inputs[i % inputs.length]!, ctx).result !== 'accepted') throw new Error('verify failed');
        }, opts.millis),
      );
    }
    const toCase = (name: string, n: number, xs: { rate: number; cores: number }[]): WorkersCase => ({
      name,
      workers: n,
      opsPerSecond: median(xs.map((x) => x.rate)),
      rounds: xs.map((x) => x.rate),
      coresBusy: median(xs.map((x) => x.cores)),
    });
    const cases = [
      toCase('verifyLicense in the calling thread (no pool)', 0, rounds.local),
      toCase('worker pool, 1 worker (full form bytes in, result out)', 1, rounds.one),
      toCase(`worker pool, ${workers} workers`, workers, rounds.many),
    ];
    const [local, oneCase, manyCase] = cases as [WorkersCase, WorkersCase, WorkersCase];
    return {
      licences: inputs.length,
      cores: availableParallelism(),
      workers,
      inFlightPerWorker,
      cases,
      scaling: manyCase.opsPerSecond / (workers * oneCase.opsPerSecond),
      oneWorkerToInProcess: oneCase.opsPerSecond / local.opsPerSecond,
      rawThreadScaling: median(rawN) / (workers * median(raw1)),
      rawThreads: [
        { threads: 1, opsPerSecond: median(raw1), rounds: raw1 },
        { threads: workers, opsPerSecond: median(rawN), rounds: rawN },
      ],
      scalingPerCpuSecond: manyCase.opsPerSecond / manyCase.coresBusy / (oneCase.opsPerSecond / oneCase.coresBusy),
      loadAverage: { start: load, end: loadavg() },
    };
  } finally {
    await Promise.all([one.close(), many.close()]);
  }
}

/** Raw node:crypto ECDSA P-256 verify of a 4 KB input on `threads` worker threads at once for `millis`: verifications per second in all. */
async function rawVerifyThreads(threads: number, millis: number): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const crypto = require('node:crypto');
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = crypto.randomBytes(4096);
    const signature = crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    parentPort.once('message', () => {
      const start = process.hrtime.bigint();
      const end = start + BigInt(workerData) * 1000000n;
      let n = 0;
      while (process.hrtime.bigint() < end) for (let k = 0; k < 20; k++, n++) crypto.verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
      parentPort.postMessage(n / (Number(process.hrtime.bigint() - start) / 1e9));
    });
    parentPort.postMessage('ready');`;
  const ws = Array.from({ length: threads }, () => new Worker(code, { eval: true, workerData: millis }));
  try {
    await Promise.all(ws.map((w) => new Promise((ready) => w.once('message', ready))));
    const rates = ws.map((w) => new Promise<number>((done) => w.once('message', done)));
    for (const w of ws) w.postMessage('go');
    return (await Promise.all(rates)).reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
