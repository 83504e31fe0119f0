import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ElicenseError, type ErrorCode } from '../../errors';
import type { AnyFormResult } from '../forms/verifyAnyForm';
import type { PresentedStatus, TrustSnapshotSource } from './TrustSnapshot';
import type { PooledInput, VerifyWorkerBatch, VerifyWorkerMessage, VerifyWorkerReplies, VerifyWorkerReply } from './verifyWorker';
import type { NodeAnswerNotes, VerificationDigest } from '../nodeAnswer';
import { spawnWorkerModule } from '../../spawnWorkerModule';

export interface VerifyWorkerPoolOptions {
  /** Worker threads (default: the machine's available parallelism). */
  workers?: number;
  /** A request not answered within this time ends its worker (replaced) and is answered VERIFIER_UNAVAILABLE. Default 30 s. */
  timeoutMs?: number;
}

export interface PooledVerification {
  /** The verification clock. */
  at: Date;
  /** The trust version to judge with (setTrust); default the newest. */
  trustVersion?: number;
  /** The presented licence's status, looked up by the caller first (the verifier itself is pure). */
  status?: PresentedStatus | null;
  /** When the caller last confirmed its own trust data (the answer's trust.asOf), if later than the version's. */
  trustAsOf?: Date | null;
}

interface Pending {
  resolve(reply: Extract<VerifyWorkerReply, { ok: true }>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  /** Trust versions this worker was sent (in order: it builds each once). */
  versions: Set<number>;
  pending: Map<number, Pending>;
  /** Messages of this turn of the event loop, posted together at its end. */
  outbox: VerifyWorkerBatch;
}

/** Trust versions kept for sending to (new) workers: the newest two, as a worker keeps. */
const KEPT_VERSIONS = 2;

/**
 * Verification on worker threads, so that one node process uses every core
 * for the CPU-bound part (strict parsing, canonical JSON, schema checks,
 * signature verification). Each worker holds the type standards, warm caches
 * and the trust data of the newest versions, built from the snapshot source
 * once per version (setTrust) — a request carries only its bytes, the time,
 * the trust version and the licence's prefetched status. Requests go to the
 * worker with the fewest in flight. A worker that crashes or does not answer
 * within timeoutMs is replaced and its requests answered with
 * VERIFIER_UNAVAILABLE (never left hanging). Workers hold the process open only
 * while they have requests; close() ends them all.
 */
export class VerifyWorkerPool {
  readonly size: number;
  readonly #timeoutMs: number;
  readonly #slots: Slot[] = [];
  readonly #versions = new Map<number, TrustSnapshotSource>();
  #newest: number | undefined;
  #nextId = 1;
  #closed = false;

  constructor(options: VerifyWorkerPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Registers a trust version (sent to each worker once, before its first request of that version). */
  setTrust(version: number, source: TrustSnapshotSource): void {
    if (this.#versions.has(version)) return;
    this.#versions.set(version, source);
    if (this.#newest === undefined || version > this.#newest) this.#newest = version;
    for (const v of [...this.#versions.keys()].sort((a, b) => a - b).slice(0, -KEPT_VERSIONS)) this.#versions.delete(v);
  }

  get trustVersion(): number | undefined {
    return this.#newest;
  }

  /** Requests sent and not yet answered, over all workers. */
  get inFlight(): number {
    return this.#slots.reduce((n, s) => n + s.pending.size, 0);
  }

  /** Verifies one presented form (bytes of any form verifyAnyForm reads, or a full form or QR text read already) on a worker thread. */
  async verify(input: PooledInput, req: PooledVerification): Promise<AnyFormResult> {
    const reply = await this.#request(input, req, null);
    if (!('result' in reply)) throw new Error('verifier thread answered with text where a result was asked for');
    return reply.result;
  }

  /**
   * The same verification answered as a node answers it: the result as JSON text (notes applied) and its
   * digest, so that the result object never crosses back (it is only ever serialised for the response).
   */
  async verifyToJson(input: PooledInput, req: PooledVerification, notes: NodeAnswerNotes): Promise<{ json: string; digest: VerificationDigest }> {
    const reply = await this.#request(input, req, notes);
    if (!('json' in reply)) throw new Error('verifier thread answered with a result where text was asked for');
    return { json: reply.json, digest: reply.digest };
  }

  #request(input: PooledInput, req: PooledVerification, json: NodeAnswerNotes | null): Promise<Extract<VerifyWorkerReply, { ok: true }>> {
    if (this.#closed) return Promise.reject(new ElicenseError('VERIFIER_UNAVAILABLE', 'the verifier is shutting down'));
    const version = req.trustVersion ?? this.#newest;
    const source = version === undefined ? undefined : this.#versions.get(version);
    if (version === undefined || !source) return Promise.reject(new ElicenseError('NOT_READY', `trust version ${version ?? '(none)'} is not loaded in the verifier pool`));
    const slot = this.#leastBusy();
    if (!slot.versions.has(version)) {
      slot.versions.add(version);
      this.#post(slot, { type: 'trust', version, source });
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#lose(slot, `a verification took longer than ${this.#timeoutMs} ms`), this.#timeoutMs);
      slot.pending.set(id, { resolve, reject, timer });
      if (slot.pending.size === 1) slot.worker.ref();
      this.#post(slot, { type: 'verify', id, version, input, at: req.at, status: req.status ?? null, asOf: req.trustAsOf ?? null, json });
    });
  }

  /**
   * Ends worker `index` as a crash would (drills and tests): its requests are
   * answered VERIFIER_UNAVAILABLE and the next request gets a new worker.
   */
  crashWorker(index: number): void {
    const slot = this.#slots[index];
    if (slot) this.#post(slot, { type: 'exit', code: 70 });
  }

  /** Ends every worker; requests in flight are answered VERIFIER_UNAVAILABLE. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    await Promise.allSettled(slots.map((s) => this.#end(s, 'the verifier is shutting down')));
  }

  #leastBusy(): Slot {
    let best: Slot | undefined;
    for (const s of this.#slots) if (!best || s.pending.size < best.pending.size) best = s;
    if (best && (best.pending.size === 0 || this.#slots.length >= this.size)) return best;
    return this.#spawn();
  }

  #spawn(): Slot {
    const slot: Slot = { worker: spawnWorker(), versions: new Set(), pending: new Map(), outbox: [] };
    slot.worker.unref();
    slot.worker.on('message', (replies: VerifyWorkerReplies) => {
      for (const reply of replies) {
        const p = slot.pending.get(reply.id);
        if (!p) continue;
        slot.pending.delete(reply.id);
        clearTimeout(p.timer);
        if (reply.ok) p.resolve(reply);
        else p.reject(new ElicenseError(reply.code as ErrorCode, reply.message));
      }
      if (slot.pending.size === 0) slot.worker.unref();
    });
    const lost = () => this.#lose(slot, 'a verifier thread stopped');
    slot.worker.on('error', lost);
    slot.worker.on('exit', lost);
    this.#slots.push(slot);
    return slot;
  }

  #post(slot: Slot, message: VerifyWorkerMessage): void {
    slot.outbox.push(message);
    if (slot.outbox.length > 1) return;
    // Everything asked of this worker in the current turn goes in one message.
    queueMicrotask(() => {
      const batch = slot.outbox;
      slot.outbox = [];
      if (this.#slots.includes(slot)) slot.worker.postMessage(batch);
    });
  }

  /** A worker crashed or hung: out of the pool, ended, and its requests answered. */
  #lose(slot: Slot, why: string): void {
    const at = this.#slots.indexOf(slot);
    if (at < 0) return;
    this.#slots.splice(at, 1);
    void this.#end(slot, `${why}; try again`);
  }

  async #end(slot: Slot, why: string): Promise<void> {
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => undefined);
    for (const p of slot.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ElicenseError('VERIFIER_UNAVAILABLE', why));
    }
    slot.pending.clear();
    await slot.worker.terminate();
  }
}

/**
 * Workers from the environment: ELICENSE_VERIFY_WORKERS unset, empty, "0" or
 * "off": none (verification in the request's thread, as before); "auto": one
 * per available core; a number 1..64: that many. Anything else is CONFIG_INVALID.
 */
export function verifyWorkersFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = (env['ELICENSE_VERIFY_WORKERS'] ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'off') return 0;
  if (raw === 'auto') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ElicenseError('CONFIG_INVALID', `ELICENSE_VERIFY_WORKERS must be off, auto or 1..64 (is ${JSON.stringify(raw)})`);
  return n;
}

/** The worker: verifyWorker.js beside this file (or its TypeScript source, compiled as it loads). */
function spawnWorker(): Worker {
  return spawnWorkerModule(__dirname, 'verifyWorker');
}
