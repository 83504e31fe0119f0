import { parentPort } from 'node:worker_threads';
import { isElicenseError } from '../../errors';
import type { FullForm } from '../../format/FullForm';
import { selfCheckLicense } from '../../issue/issueLicense';
import { StandardsCatalog } from '../../standards/StandardsCatalog';
import { createVerifierCaches } from '../../verify/verifyLicense';
import { trustForSelfCheck, type SelfCheckTrust } from './selfCheckTrust';

/** Freshly signed forms to verify as a relying party would (selfCheckLicense), on a worker thread: one message for several. */
export interface SelfCheckTask {
  /** Sent with the first task of a trust key; later tasks of the key name it only. */
  trust?: SelfCheckTrust;
  trustKey: string;
  at: Date;
  /** Each full form as stored and handed out (its text: read here as a relying party reads it, and cheap to send). */
  items: Array<{ id: number; fullForm: string }>;
}

export type SelfCheckAnswer = { id: number; ok: true } | { id: number; ok: false; code: string; message: string; details?: Record<string, unknown> };

const catalog = StandardsCatalog.load();
const caches = createVerifierCaches();
const trusts = new Map<string, ReturnType<typeof trustForSelfCheck>>();

function checkOne(task: SelfCheckTask, id: number, fullForm: string): SelfCheckAnswer {
  try {
    const trust = trusts.get(task.trustKey);
    if (!trust) throw new Error(`self-check trust ${task.trustKey} was not sent`);
    selfCheckLicense(JSON.parse(fullForm) as FullForm, { trust, catalog, at: task.at, caches });
    return { id, ok: true };
  } catch (e) {
    return isElicenseError(e)
      ? { id, ok: false, code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) }
      : { id, ok: false, code: 'INTERNAL', message: (e as Error).message ?? String(e) };
  }
}

parentPort?.on('message', (task: SelfCheckTask) => {
  if (task.trust) {
    // One trust at a time is what a batch uses; a new trust version replaces the old.
    trusts.clear();
    try {
      trusts.set(task.trustKey, trustForSelfCheck(task.trust));
    } catch {
      // Left unset: every check of the key answers that its trust is missing.
    }
  }
  parentPort!.postMessage(task.items.map((item) => checkOne(task, item.id, item.fullForm)));
});
