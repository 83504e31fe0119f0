import type { Worker } from 'node:worker_threads';
import { ElicenseError } from '../../errors';
import { checkRasterHeader, type ImageOutcome } from './decodeRasterImage';
import type { QrImageTask } from './qrImageWorker';
import { spawnWorkerModule } from '../../spawnWorkerModule';

export interface QrImageReaderPoolOptions {
  /** Worker threads decoding at once (each holds up to one image's pixels, ≤ 64 MB). */
  workers: number;
  /** Images waiting for a worker; one more is refused with IMAGE_DECODER_BUSY. */
  maxQueue: number;
  /** A read that takes longer ends its worker and answers INPUT_TOO_LARGE. */
  timeoutMs: number;
}

interface Job {
  bytes: Uint8Array;
  done(outcome: ImageOutcome<string>): void;
}

interface Slot {
  worker: Worker;
  job: (Job & { id: number; timer: NodeJS.Timeout }) | null;
}

/** Seconds a client refused for a full queue is told to wait. */
const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * Reads the QR of uploaded images on worker threads, so that seconds of
 * pixel decoding never hold the event loop (health checks, other requests).
 * The header is checked here first (cheap), so an image declaring too many
 * pixels costs no worker. Work is bounded: `workers` decode at once, at most
 * `maxQueue` wait, and the next is refused at once (IMAGE_DECODER_BUSY, with
 * retryAfterSeconds) rather than piling up memory. Workers start on first use.
 */
export class QrImageReaderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: QrImageReaderPoolOptions) {}

  /** Images being decoded or waiting for a worker. */
  get inFlight(): number {
    return this.queue.length + this.slots.filter((s) => s.job !== null).length;
  }

  /** The text of the image's one QR code, or why not; throws IMAGE_DECODER_BUSY when the queue is full. */
  read(bytes: Uint8Array): Promise<ImageOutcome<string>> {
    const header = checkRasterHeader(bytes);
    if (!header.ok) return Promise.resolve(header);
    if (this.closed) return Promise.reject(new ElicenseError('NOT_READY', 'the image reader is shutting down'));
    return new Promise((done, fail) => {
      const job: Job = { bytes, done };
      const slot = this.idleSlot();
      if (slot) return this.run(slot, job);
      if (this.queue.length >= this.options.maxQueue) {
        return fail(new ElicenseError('IMAGE_DECODER_BUSY', `${this.inFlight} images are being read; try again shortly`, { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS }));
      }
      this.queue.push(job);
    });
  }

  /** Ends every worker; reads still queued or running are answered as unreadable (the node is shutting down). */
  async close(): Promise<void> {
    this.closed = true;
    const stopping = this.slots.map((s) => s.worker.terminate());
    for (const job of this.queue.splice(0)) job.done(SHUT_DOWN);
    for (const s of this.slots) this.finish(s, SHUT_DOWN);
    this.slots.length = 0;
    await Promise.allSettled(stopping);
  }

  private idleSlot(): Slot | undefined {
    const idle = this.slots.find((s) => s.job === null);
    if (idle) return idle;
    if (this.slots.length >= this.options.workers) return undefined;
    const slot: Slot = { worker: spawnWorker(), job: null };
    slot.worker.unref();
    slot.worker.on('message', (m: { id: number; outcome: ImageOutcome<string> }) => {
      if (slot.job?.id === m.id) this.finish(slot, m.outcome);
    });
    // A worker that dies (out of memory, a crash in the decoder) is replaced on next use.
    const lost = () => this.replace(slot, { ok: false, code: 'INPUT_MALFORMED', message: 'the image could not be decoded' });
    slot.worker.on('error', lost);
    slot.worker.on('exit', lost);
    this.slots.push(slot);
    return slot;
  }

  private run(slot: Slot, job: Job): void {
    const id = this.nextId++;
    const timer = setTimeout(() => this.replace(slot, { ok: false, code: 'INPUT_TOO_LARGE', message: `the image took longer than ${this.options.timeoutMs} ms to read` }), this.options.timeoutMs);
    slot.job = { ...job, id, timer };
    slot.worker.postMessage({ id, bytes: job.bytes } satisfies QrImageTask);
  }

  private finish(slot: Slot, outcome: ImageOutcome<string>): void {
    const job = slot.job;
    if (!job) return;
    clearTimeout(job.timer);
    slot.job = null;
    job.done(outcome);
    const next = this.closed ? undefined : this.queue.shift();
    if (next) this.run(this.slots.includes(slot) ? slot : this.idleSlot()!, next);
  }

  private replace(slot: Slot, outcome: ImageOutcome<string>): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => undefined);
    void slot.worker.terminate();
    this.finish(slot, outcome);
  }
}

const SHUT_DOWN: ImageOutcome<string> = { ok: false, code: 'INPUT_MALFORMED', message: 'the node is shutting down; the image was not read' };

/** The worker: qrImageWorker.js beside this file (or its TypeScript source, compiled as it loads). */
function spawnWorker(): Worker {
  return spawnWorkerModule(__dirname, 'qrImageWorker');
}
