import { parentPort } from 'node:worker_threads';
import { isElicenseError } from '../../errors';
import { StandardsCatalog } from '../../standards/StandardsCatalog';
import { readPresentedForm, verifyPresentedForm, type AnyFormResult, type PresentedForm } from '../forms/verifyAnyForm';
import type { DetectedForm } from '../../forms/detectForm';
import { decodeCompactOnce } from '../../forms/qr/compactLicense';
import { parseStrictJson } from '../../json/parseStrictJson';
import { applyNodeAnswerNotes, verificationDigest, type NodeAnswerNotes, type VerificationDigest } from '../nodeAnswer';
import { createVerifierCaches } from '../VerifyContext';
import { buildTrust, type BuiltTrust, type PresentedStatus, type TrustSnapshotSource } from './TrustSnapshot';

/** Messages of VerifyWorkerPool to one worker, in the order it must act on them. */
export type VerifyWorkerMessage =
  /** A trust version: built here once, kept until a newer one arrives (the previous one too, for requests in flight). */
  | { type: 'trust'; version: number; source: TrustSnapshotSource }
  /** One presented form (bytes, any form verifyAnyForm reads, or a form read already), judged at `at` with trust version `version`. */
  | {
      type: 'verify';
      id: number;
      version: number;
      input: PooledInput;
      at: Date;
      status: PresentedStatus | null;
      asOf: Date | null;
      /** Answer as JSON text with these notes applied, and the result's digest (the node's answer), instead of the result object. */
      json: NodeAnswerNotes | null;
    }
  /** Ends the thread with this exit code (crash drills and tests: the pool must replace it and answer its requests). */
  | { type: 'exit'; code: number };

/**
 * What a worker verifies: bytes of any form verifyAnyForm reads, or a form the caller read already (a node has
 * parsed the request's JSON strictly at its door): a full form's document, or QR text (with the full form sent
 * beside it, if any). Images and PDFs are read by the caller (their readers have pools of their own).
 */
export type PooledInput =
  | Uint8Array
  /** A JSON body whose document is a full form (as the caller found it): parsed here as the caller's door parsed it. */
  | { kind: 'full-form-json'; bytes: Uint8Array; maxBytes: number; maxDepth: number }
  | { kind: 'full-form'; form: DetectedForm; document: unknown }
  | { kind: 'qr'; form: DetectedForm; text: string; fullForm?: unknown };

/** The presented form of a pooled input (bytes read here). */
async function presentedOf(input: PooledInput): Promise<PresentedForm> {
  if (input instanceof Uint8Array) return readPresentedForm(input);
  if (input.kind === 'full-form-json') return { kind: 'full-form', form: 'full-form', document: parseStrictJson(input.bytes, { maxBytes: input.maxBytes, maxDepth: input.maxDepth }) };
  if (input.kind === 'qr') return { ...input, decoded: decodeCompactOnce(input.text) };
  return input;
}

/**
 * What the pool posts: the messages of one turn of its event loop together (one postMessage each way per
 * batch, not per request: the thread hop is paid once for many verifications).
 */
export type VerifyWorkerBatch = VerifyWorkerMessage[];

export type VerifyWorkerReply =
  | { id: number; ok: true; result: AnyFormResult }
  | { id: number; ok: true; json: string; digest: VerificationDigest }
  | { id: number; ok: false; code: string; message: string };

/** The replies to the requests of one batch, in order. */
export type VerifyWorkerReplies = VerifyWorkerReply[];

/**
 * Worker thread entry of VerifyWorkerPool: holds the type standards, the trust
 * data of the latest two versions and warm verifier caches, and verifies what
 * it is sent, one request at a time, in order. A request never crashes the
 * thread: whatever goes wrong is answered as an error for that request.
 */
const catalog = StandardsCatalog.load();
const caches = createVerifierCaches();
/** Trust data by version, or why it could not be built (its requests are answered with that error). */
const trusts = new Map<number, BuiltTrust | { code: string; message: string }>();

async function handle(m: VerifyWorkerMessage): Promise<VerifyWorkerReply | null> {
  switch (m.type) {
    case 'trust':
      try {
        trusts.set(m.version, buildTrust(m.source));
      } catch (e) {
        trusts.set(m.version, { code: isElicenseError(e) ? e.code : 'TRUST_MATERIAL_INVALID', message: isElicenseError(e) ? e.message : 'the trust data could not be read' });
      }
      // The newest two versions: requests sent just before a change still find theirs.
      for (const v of [...trusts.keys()].sort((a, b) => a - b).slice(0, -2)) trusts.delete(v);
      return null;
    case 'exit':
      process.exit(m.code);
      return null;
    case 'verify': {
      const built = trusts.get(m.version);
      if (!built) return { id: m.id, ok: false, code: 'NOT_READY', message: `trust version ${m.version} is not loaded in this verifier` };
      if (typeof built !== 'function') return { id: m.id, ok: false, ...built };
      const result = await verifyPresentedForm(await presentedOf(m.input), { trust: built(m.at, m.status, m.asOf), catalog, at: m.at, caches });
      if (!m.json) return { id: m.id, ok: true, result };
      applyNodeAnswerNotes(result, m.json);
      return { id: m.id, ok: true, json: JSON.stringify(result), digest: verificationDigest(result) };
    }
  }
}

async function answer(m: VerifyWorkerMessage): Promise<VerifyWorkerReply | null> {
  try {
    return await handle(m);
  } catch (e) {
    if (m.type !== 'verify') throw e;
    return { id: m.id, ok: false, code: isElicenseError(e) ? e.code : 'INTERNAL', message: isElicenseError(e) ? e.message : 'the verifier failed on this input' };
  }
}

// Batches are handled strictly in arrival order, and the messages of a batch in theirs (a PDF's verification is asynchronous).
let chain: Promise<void> = Promise.resolve();
parentPort?.on('message', (batch: VerifyWorkerBatch) => {
  chain = chain.then(async () => {
    const replies: VerifyWorkerReplies = [];
    for (const m of batch) {
      const reply = await answer(m);
      if (reply) replies.push(reply);
    }
    if (replies.length > 0) parentPort!.postMessage(replies);
  });
});
