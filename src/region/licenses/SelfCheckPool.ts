import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ElicenseError, type ErrorCode } from '../../errors';
import type { SelfCheckAnswer, SelfCheckTask } from './selfCheckWorker';
import type { SelfCheckTrust } from './selfCheckTrust';
import { spawnWorkerModule } from '../../spawnWorkerModule';

interface Pending {
  resolve(): void;
  reject(e: unknown): void;
}

/** Checks gathered for one message: a message per licence cost about as much as a tenth of its verification. */
interface Gathered {
  trust: SelfCheckTrust;
  trustKey: string;
  at: Date;
  items: Array<{ id: number; fullForm: string; pending: Pending }>;
}

/** Checks sent in one message at most; fewer go when the caller yields (the next turn of the event loop). */
const GATHER = 16;

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** The trust key this worker holds (sent with the first task of a key). */
  trustKey: string | undefined;
}

/** Workers stop after this long without work: an idle node keeps no extra threads (or their memory). */
const IDLE_MS = 10_000;

/**
 * Self-verification of freshly signed licences on worker threads, so that a batch is signed on the main
 * thread while its licences are verified beside it (issue 17). Workers start with the first batch and stop
 * when idle; a worker that fails hands its checks back to the caller's fallback (run on the main thread),
 * so a licence is never stored unchecked. `size` 0 turns the pool off.
 */
export class SelfCheckPool {
  readonly size: number;
  #slots: Slot[] = [];
  #next = 0;
  #id = 0;
  #idle: NodeJS.Timeout | undefined;
  #gathered: Gathered | undefined;
  #flushing: NodeJS.Immediate | undefined;

  constructor(size = defaultSize()) {
    this.size = size;
  }

  /**
   * Resolves when the worker found `fullForm` (the form's JSON text) would verify against `trust` at `at`; rejects with the
   * ElicenseError the check raised, or with a plain Error when the worker itself failed.
   */
  check(fullForm: string, trust: SelfCheckTrust, trustKey: string, at: Date): Promise<void> {
    if (this.size === 0) return Promise.reject(new Error('the self-check pool is off'));
    this.#touch();
    const g = this.#gathered;
    if (g && (g.trustKey !== trustKey || g.at.getTime() !== at.getTime())) this.#flush();
    const gathered = (this.#gathered ??= { trust, trustKey, at, items: [] });
    const id = ++this.#id;
    const done = new Promise<void>((resolve, reject) => gathered.items.push({ id, fullForm, pending: { resolve, reject } }));
    if (gathered.items.length >= GATHER) this.#flush();
    else this.#flushing ??= setImmediate(() => this.#flush());
    return done;
  }

  #flush(): void {
    if (this.#flushing) clearImmediate(this.#flushing);
    this.#flushing = undefined;
    const g = this.#gathered;
    this.#gathered = undefined;
    if (!g || g.items.length === 0) return;
    let slot: Slot;
    try {
      slot = this.#slot();
    } catch (e) {
      for (const item of g.items) item.pending.reject(e);
      return;
    }
    const task: SelfCheckTask = { trustKey: g.trustKey, at: g.at, items: g.items.map((i) => ({ id: i.id, fullForm: i.fullForm })), ...(slot.trustKey !== g.trustKey ? { trust: g.trust } : {}) };
    slot.trustKey = g.trustKey;
    for (const item of g.items) slot.pending.set(item.id, item.pending);
    // Held while it has work; an idle pool never keeps the process up.
    slot.worker.ref();
    slot.worker.postMessage(task);
  }

  /** Stops every worker; their pending checks reject. */
  async close(): Promise<void> {
    if (this.#idle) clearTimeout(this.#idle);
    if (this.#flushing) clearImmediate(this.#flushing);
    this.#flushing = undefined;
    const gathered = this.#gathered;
    this.#gathered = undefined;
    for (const item of gathered?.items ?? []) item.pending.reject(new Error('the self-check pool closed'));
    const slots = this.#slots;
    this.#slots = [];
    for (const s of slots) this.#fail(s, new Error('the self-check pool closed'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #slot(): Slot {
    if (this.#slots.length < this.size) {
      const slot: Slot = { worker: spawnWorker(), pending: new Map(), trustKey: undefined };
      slot.worker.on('message', (answers: SelfCheckAnswer[]) => {
        for (const a of answers) {
          const p = slot.pending.get(a.id);
          if (!p) continue;
          slot.pending.delete(a.id);
          if (a.ok) p.resolve();
          else p.reject(new ElicenseError(a.code as ErrorCode, a.message, a.details));
        }
        if (slot.pending.size === 0) slot.worker.unref();
      });
      const gone = (e: unknown) => {
        this.#slots = this.#slots.filter((s) => s !== slot);
        this.#fail(slot, e instanceof Error ? e : new Error(`self-check worker stopped (${String(e)})`));
      };
      slot.worker.on('error', gone);
      slot.worker.on('exit', (code) => gone(new Error(`self-check worker exited with code ${code}`)));
      // After the listeners (a 'message' listener refs the worker again); check() refs it while it has work.
      slot.worker.unref();
      this.#slots.push(slot);
      return slot;
    }
    return this.#slots[this.#next++ % this.#slots.length]!;
  }

  #fail(slot: Slot, e: Error): void {
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    for (const p of pending) p.reject(e);
  }

  #touch(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      if (this.#gathered || this.#slots.some((s) => s.pending.size > 0)) return this.#touch();
      void this.close();
    }, IDLE_MS);
    this.#idle.unref();
  }
}

/** One fewer than the cores (the main thread signs), at most 4: NodeConfig's default for ELICENSE_ISSUANCE_WORKERS. */
function defaultSize(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

/** The worker: selfCheckWorker.js beside this file (or its TypeScript source, compiled as it loads). */
function spawnWorker(): Worker {
  return spawnWorkerModule(__dirname, 'selfCheckWorker');
}
