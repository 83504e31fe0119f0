import { generateKeyPairSync, sign, verify as nodeVerify } from 'node:crypto';
import type { ChildNode } from './childNode';
import { rate, type CaseResult } from './measure';

export interface BatchVerificationBenchResult {
  store: 'postgres' | 'embedded';
  /** Documents per POST /v1/verifications/batch (distinct licences, each accepted). */
  itemsPerBatch: number;
  /** Requests in flight at once (each a whole batch). */
  clients: number;
  /** Average full-form bytes of an item; the request body is about itemsPerBatch times this. */
  itemBytes: number;
  cases: CaseResult[];
  /** Licences verified per second through the batch route (median over rounds). */
  licencesPerSecond: number;
  /** Raw node:crypto ECDSA P-256 verify rate of the same signing inputs (one core, this process). */
  rawVerifyPerSecond: number;
  /** licencesPerSecond / rawVerifyPerSecond. */
  ratioToRawVerify: number;
  /** Signatures verified per licence (the department's and the region timestamp's). */
  signaturesPerLicence: number;
  /** licencesPerSecond / (rawVerifyPerSecond / signaturesPerLicence): against the floor of verifying both signatures. */
  ratioToTwoSignatureFloor: number;
  /** Milliseconds per whole batch request (median round): p50, p99. */
  latencyMs: { p50: number; p99: number };
}

export interface BatchVerificationTarget {
  node: ChildNode;
  store: 'postgres' | 'embedded';
  issuerKey: string;
  /** A valid issue request body ({typeCode, data}). */
  issueBody: Record<string, unknown>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * POST /v1/verifications/batch over HTTP against the floor: node:crypto ECDSA P-256 verify of the same
 * signing inputs in this process. The node issues `itemsPerBatch` distinct licences first (POST
 * /v1/licenses/batch); the bench then sends them as one batch, `clients` batches in flight at a time, in
 * rounds interleaved with the raw verify rounds. Every item must come back accepted or the run fails.
 */
export async function batchVerificationBench(t: BatchVerificationTarget, opts: { itemsPerBatch: number; clients: number; rounds: number; seconds: number; millis: number }): Promise<BatchVerificationBenchResult> {
  const run = Date.now().toString(36);
  const data = t.issueBody['data'] as Record<string, unknown>;
  const records = Array.from({ length: opts.itemsPerBatch }, (_, i) => ({ ...t.issueBody, data: { ...data, certificateNumber: `BENCH-V-${run}-${i}` } }));
  const issued = await fetch(`${t.node.url}/v1/licenses/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.issuerKey}` }, body: JSON.stringify({ records }) });
  const issuedText = await issued.text();
  if (issued.status !== 200) throw new Error(`could not issue the batch bench licences: ${issued.status} ${issuedText.slice(0, 300)}`);
  const forms = (JSON.parse(issuedText) as { results: Array<{ status: string; license?: { signature: string } }> }).results.map((r) => {
    if (r.status !== 'created' || !r.license) throw new Error(`batch bench licence not issued: ${JSON.stringify(r).slice(0, 300)}`);
    return r.license;
  });
  const body = JSON.stringify({ items: forms });

  const once = async (): Promise<number> => {
    const start = process.hrtime.bigint();
    const res = await fetch(`${t.node.url}/v1/verifications/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`batch verification failed: ${res.status} ${text.slice(0, 300)}`);
    const summary = (JSON.parse(text) as { summary: { accepted: number } }).summary;
    if (summary.accepted !== forms.length) throw new Error(`batch verification accepted ${summary.accepted} of ${forms.length}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  /** `clients` loops, each sending the batch again as soon as its answer is read, for `seconds`. */
  const batchRound = async (seconds: number): Promise<{ rate: number; latencies: number[] }> => {
    const latencies: number[] = [];
    const end = Date.now() + seconds * 1000;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: opts.clients }, async () => {
        while (Date.now() < end) latencies.push(await once());
      }),
    );
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    return { rate: (latencies.length * forms.length) / elapsed, latencies: latencies.sort((a, b) => a - b) };
  };

  // The floor: the same signing inputs (header.payload of each licence), verified with a P-256 key of this process.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const raw = forms.map((f) => {
    const [head, payload] = f.signature.split('.');
    const data = Buffer.from(`${head}.${payload}`);
    return { data, signature: sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) };
  });
  const rawCase = {
    name: 'raw node:crypto P-256 verify',
    run: (i: number) => {
      const x = raw[i % raw.length]!;
      if (!nodeVerify('sha256', x.data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, x.signature)) throw new Error('raw verify failed');
    },
  };
  const rawRound = (millis: number): Promise<number> => rate(rawCase, millis);

  // Warm-up: JIT, caches, status cache of the node.
  await batchRound(1);
  await rawRound(300);
  const rawRates: number[] = [];
  const batchRates: number[] = [];
  const batchLatencies: number[][] = [];
  for (let r = 0; r < opts.rounds; r++) {
    rawRates.push(await rawRound(opts.millis));
    const b = await batchRound(opts.seconds);
    batchRates.push(b.rate);
    batchLatencies.push(b.latencies);
  }
  const rawPerSecond = median(rawRates);
  const licencesPerSecond = median(batchRates);
  const medianRound = batchRates.indexOf([...batchRates].sort((a, b) => a - b)[batchRates.length >> 1]!);
  const latencies = batchLatencies[medianRound]!;
  return {
    store: t.store,
    itemsPerBatch: forms.length,
    clients: opts.clients,
    itemBytes: Math.round(body.length / forms.length),
    cases: [
      { name: 'raw node:crypto ECDSA P-256 verify (same signing inputs)', opsPerSecond: rawPerSecond, rounds: rawRates },
      { name: `elicense node POST /v1/verifications/batch (${forms.length} per request)`, opsPerSecond: licencesPerSecond, rounds: batchRates },
    ],
    licencesPerSecond,
    rawVerifyPerSecond: rawPerSecond,
    ratioToRawVerify: licencesPerSecond / rawPerSecond,
    signaturesPerLicence: 2,
    ratioToTwoSignatureFloor: licencesPerSecond / (rawPerSecond / 2),
    latencyMs: { p50: Math.round(quantile(latencies, 0.5)), p99: Math.round(quantile(latencies, 0.99)) },
  };
}
