import { generateKeyPairSync, sign } from 'node:crypto';
import { loadavg } from 'node:os';
import { compare, processCpuMs } from './measure';
import type { ChildNode } from './childNode';

export interface IssuanceBenchResult {
  store: 'postgres' | 'embedded';
  /** JWS alg of the issuing department's signatures. */
  algorithm: string;
  batch: {
    recordsPerBatch: number;
    batches: number;
    /** Licences per second over all batches (sign + timestamp + persist + status index + idempotency + audit, no PDF). */
    licencesPerSecond: number;
    /** Per-batch rates. */
    rounds: number[];
    /** One-minute load average of the machine before the first batch and after the last (other work on a shared machine). */
    loadAverage: [number, number];
    /** CPU time of the node process (all its threads) per licence over the batches; null where /proc is not there. */
    nodeCpuMsPerLicence: number | null;
  };
  /** Raw node:crypto ECDSA P-256 sign rate (one core) of a record-sized input: the signing floor. */
  rawSignPerSecond: number;
  /** Batch issuance rate / raw sign rate. Each licence costs two signatures (department + region timestamp). */
  ratioToRawSign: number;
  single: {
    requests: number;
    /** Milliseconds per POST /v1/licenses, one at a time. */
    p50Ms: number;
    p99Ms: number;
    meanMs: number;
  };
}

export interface IssuanceTarget {
  node: ChildNode;
  store: 'postgres' | 'embedded';
  issuerKey: string;
  /** A valid issue request body ({typeCode, data}). */
  issueBody: Record<string, unknown>;
}

async function post(url: string, key: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * Issuance over HTTP: batch rate (POST /v1/licenses/batch, 1,000 records,
 * one batch after another) against the raw signing rate measured in the same
 * run, and the latency of single issuances (POST /v1/licenses, sequential).
 */
export async function issuanceBench(t: IssuanceTarget, opts: { batches: number; recordsPerBatch: number; singles: number; rounds: number; millis: number }): Promise<IssuanceBenchResult> {
  const run = `${Date.now().toString(36)}`;
  // A node holds one valid licence per certificate number: every licence of the bench gets its own.
  const body = (n: string) => ({ ...t.issueBody, data: { ...(t.issueBody['data'] as Record<string, unknown>), certificateNumber: `BENCH-${run}-${n}` } });
  // Warm-up: JIT, signer caches, connection pool.
  const first = await post(`${t.node.url}/v1/licenses`, t.issuerKey, body('first'));
  if (first.status !== 201) throw new Error(`issuance failed: ${first.status} ${first.text.slice(0, 300)}`);
  const form = JSON.parse(first.text) as { signature: string };
  const algorithm = (JSON.parse(Buffer.from(form.signature.split('.')[0]!, 'base64url').toString('utf8')) as { alg: string }).alg;
  const warm = await post(`${t.node.url}/v1/licenses/batch?return=minimal`, t.issuerKey, { records: Array.from({ length: 100 }, (_, i) => body(`warm-${i}`)) });
  if (warm.status !== 200) throw new Error(`batch issuance failed: ${warm.status} ${warm.text.slice(0, 300)}`);

  const rounds: number[] = [];
  let total = 0;
  let elapsed = 0;
  const loadBefore = loadavg()[0]!;
  const cpuBefore = processCpuMs(t.node.process.pid);
  for (let b = 0; b < opts.batches; b++) {
    const records = Array.from({ length: opts.recordsPerBatch }, (_, i) => ({ idempotencyKey: `bench-${run}-${b}-${i}`, ...body(`${b}-${i}`) }));
    const start = process.hrtime.bigint();
    const r = await post(`${t.node.url}/v1/licenses/batch?return=minimal`, t.issuerKey, { records });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 200) throw new Error(`batch issuance failed: ${r.status} ${r.text.slice(0, 300)}`);
    const summary = (JSON.parse(r.text) as { summary: { created: number; failed: number } }).summary;
    if (summary.created !== opts.recordsPerBatch) throw new Error(`batch created ${summary.created} of ${opts.recordsPerBatch} (${summary.failed} failed)`);
    rounds.push(opts.recordsPerBatch / seconds);
    total += opts.recordsPerBatch;
    elapsed += seconds;
  }

  const cpuAfter = processCpuMs(t.node.process.pid);
  const loadAfter = loadavg()[0]!;
  const latencies: number[] = [];
  for (let i = 0; i < opts.singles; i++) {
    const start = process.hrtime.bigint();
    const r = await post(`${t.node.url}/v1/licenses`, t.issuerKey, body(`single-${i}`), { 'idempotency-key': `bench-single-${run}-${i}` });
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 201) throw new Error(`issuance failed: ${r.status} ${r.text.slice(0, 300)}`);
  }
  latencies.sort((a, b) => a - b);

  // The floor: one ECDSA P-256 signature over an input the size of a licence's signing input.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const input = Buffer.from(first.text.slice(0, 2048));
  const [raw] = await compare([{ name: 'raw node:crypto ECDSA P-256 sign', run: () => sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }) }], {
    rounds: opts.rounds,
    millis: opts.millis,
    warmupMillis: 300,
  });
  const licensesPerSecond = total / elapsed;
  return {
    store: t.store,
    algorithm,
    batch: {
      recordsPerBatch: opts.recordsPerBatch,
      batches: opts.batches,
      licencesPerSecond: licensesPerSecond,
      rounds,
      loadAverage: [loadBefore, loadAfter],
      nodeCpuMsPerLicence: cpuBefore !== null && cpuAfter !== null ? (cpuAfter - cpuBefore) / total : null,
    },
    rawSignPerSecond: raw!.opsPerSecond,
    ratioToRawSign: licensesPerSecond / raw!.opsPerSecond,
    single: { requests: opts.singles, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), meanMs: latencies.reduce((s, x) => s + x, 0) / latencies.length },
  };
}
