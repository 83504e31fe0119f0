import { parentPort } from 'node:worker_threads';
import { isElicenseError } from '../../errors';
import type { FullForm } from '../../format/FullForm';
import { selfCheckLicense } from '../../issue/issueLicense';
import { StandardsCatalog } from '../../standards/StandardsCatalog';
import { createVerifierCaches } from '../../verify/verifyLicense';
import { trustForSelfCheck, type SelfCheckTrust } from './selfCheckTrust';

/** A freshly signed form to verify as a relying party would (selfCheckLicense), on a worker thread. */
export interface SelfCheckTask {
  id: number;
  /** Sent with the first task of a trust key; later tasks of the key name it only. */
  trust?: SelfCheckTrust;
  trustKey: string;
  /** The full form as stored and handed out (its text: read here as a relying party reads it, and cheap to send). */
  fullForm: string;
  at: Date;
}

export type SelfCheckAnswer = { id: number; ok: true } | { id: number; ok: false; code: string; message: string; details?: Record<string, unknown> };

const catalog = StandardsCatalog.load();
const caches = createVerifierCaches();
const trusts = new Map<string, ReturnType<typeof trustForSelfCheck>>();

parentPort?.on('message', (task: SelfCheckTask) => {
  let answer: SelfCheckAnswer;
  try {
    if (task.trust) {
      // One trust at a time is what a batch uses; a new trust version replaces the old.
      trusts.clear();
      trusts.set(task.trustKey, trustForSelfCheck(task.trust));
    }
    const trust = trusts.get(task.trustKey);
    if (!trust) throw new Error(`self-check trust ${task.trustKey} was not sent`);
    selfCheckLicense(JSON.parse(task.fullForm) as FullForm, { trust, catalog, at: task.at, caches });
    answer = { id: task.id, ok: true };
  } catch (e) {
    answer = isElicenseError(e)
      ? { id: task.id, ok: false, code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) }
      : { id: task.id, ok: false, code: 'INTERNAL', message: (e as Error).message ?? String(e) };
  }
  parentPort!.postMessage(answer);
});
