import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import type { BenchNode } from './benchNode';

/** Resident memory of a process, in MB (1 MB = 2^20 bytes): now, and its peak so far. */
export interface RssSample {
  rssMb: number;
  /** VmHWM: the most the process has held since it started (Linux only; else the current figure). */
  peakMb: number;
}

export interface StoreMemoryResult {
  store: 'postgres' | 'embedded';
  firstStart: {
    /** Right after the node first answered /readyz on a fresh data directory / database (initdb, migrations, demo region). */
    ready: RssSample;
    /** The same process after settleSeconds of idling. */
    settled: RssSample;
    settleSeconds: number;
  };
  /** After a graceful stop and a start on the same data, a few seconds after ready. */
  restart: RssSample;
  load: {
    seconds: number;
    connections: number;
    /** POST /v1/verifications (full form) answered 2xx per second over the run. */
    requestsPerSecond: number;
    /** At the end of the run (still under load). */
    end: RssSample;
  };
}

export interface MemoryBenchResult {
  /** What was measured: the node process only (a PostgreSQL server's own memory is not the node's). */
  what: string;
  stores: StoreMemoryResult[];
  /** The embedded node's target, idle after a restart and within a minute of its first start (MB). */
  targetMb: number;
}

export const MEMORY_TARGET_MB = 250;

const MB = 1024 * 1024;

/** RSS of a process from /proc (Linux), else from ps (no peak there). */
export function rssOf(pid: number): RssSample {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: (kb('VmRSS') * 1024) / MB, peakMb: (kb('VmHWM') * 1024) / MB };
  } catch {
    const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return { rssMb: (kb * 1024) / MB, peakMb: (kb * 1024) / MB };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Memory of one node process per store: idle right after its first start on fresh data and again
 * `settleSeconds` after that, idle after a restart, and at the end of `loadSeconds` of saturated verification
 * (autocannon, POST /v1/verifications with a demo licence's full form). The stores start and settle side by
 * side (an idle node's memory does not depend on another idle node; the bench waits one settling period, not
 * one per store); the restarts and the loads run one store after the other, each node stopped after its load.
 */
export async function storesMemory(startsFresh: ReadonlyArray<() => Promise<BenchNode>>, opts: { settleSeconds: number; loadSeconds: number; connections: number }): Promise<StoreMemoryResult[]> {
  const started = await Promise.allSettled(
    startsFresh.map(async (start) => {
      const bench = await start();
      const ready = rssOf(bench.node.process.pid!);
      return { bench, ready, settled: sleep(opts.settleSeconds * 1000).then(() => rssOf(bench.node.process.pid!)) };
    }),
  );
  const open = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.bench] : []));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const results: StoreMemoryResult[] = [];
    for (const s of started as Array<PromiseFulfilledResult<{ bench: BenchNode; ready: RssSample; settled: Promise<RssSample> }>>) {
      const { bench, ready } = s.value;
      const settled = await s.value.settled;
      results.push(await restartAndLoad(bench, { ready, settled, settleSeconds: opts.settleSeconds }, opts));
      open.splice(open.indexOf(bench), 1);
      await bench.close();
    }
    return results;
  } finally {
    await Promise.all(open.map((b) => b.close()));
  }
}

async function restartAndLoad(bench: BenchNode, firstStart: StoreMemoryResult['firstStart'], opts: { loadSeconds: number; connections: number }): Promise<StoreMemoryResult> {
  const pidOf = () => bench.node.process.pid!;
  await bench.restart();
  await sleep(5000);
  const restart = rssOf(pidOf());

  const issuer = bench.credentials.keys.find((k) => k.role === 'issuer' && k.department?.licenceTypes.some((t) => t.slug === 'business-licence'));
  if (!issuer) throw new Error('no demo issuer of business licences');
  const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;
  const issued = await fetch(`${bench.node.url}/v1/licenses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.secret}` },
    body: JSON.stringify({ type: 'business-licence', data: sample.draft }),
  });
  const fullForm = await issued.text();
  if (issued.status !== 201) throw new Error(`could not issue the memory bench licence: ${issued.status} ${fullForm.slice(0, 300)}`);
  const result = await autocannon({
    url: `${bench.node.url}/v1/verifications`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: fullForm,
    connections: opts.connections,
    duration: opts.loadSeconds,
  });
  const end = rssOf(pidOf());
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`memory bench load: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return {
    store: bench.store,
    firstStart,
    restart,
    load: { seconds: opts.loadSeconds, connections: opts.connections, requestsPerSecond: result['2xx'] / result.duration, end },
  };
}
