import type { Request } from 'express';
import { ElicenseError, isElicenseError } from '../../../errors';
import { PRESENTATION_QR_PREFIX } from '../../../forms/detectForm';
import type { AnyFormResult, PresentedForm } from '../../../verify/forms/verifyAnyForm';
import type { PrefetchedStatus } from '../../../region/verifications/NodeStatusSource';
import type { NodeServices } from '../../NodeServices';
import { route, type RequestContext, type RouteSpec } from '../../RouteSpec';
import { jsonSchema, type JsonSchema } from '../../schema/Schema';
import { problem } from '../../openapi/responseDocs';
import { presentedJsonBody } from './readVerificationRequest';
import type { PresentedVerifier, VerificationMoment } from './verifyPresented';

/** Most documents in one POST /v1/verifications/batch. */
export const MAX_BATCH_VERIFICATIONS = 1000;

/**
 * The JSON body limit of the batch route: room for 1,000 full forms of a licence with a face photo
 * (a form without photos is 3 to 6 KB; a photo is at most 64 KiB of attachment, so a batch of photo-bearing
 * forms is smaller), and never less than the node's own limit. A larger form than this average fits in a
 * smaller batch, or is verified on its own (its own cap is MAX_FULL_FORM_BYTES).
 */
export const BATCH_VERIFICATION_BODY_BYTES = MAX_BATCH_VERIFICATIONS * 16 * 1024;

/** Items looked up together and verified between two turns of the event loop: other requests are served while a batch runs. */
const ITEMS_PER_TURN = 50;

/** One item's answer: the verification result (accepted or rejected), or why the item could not be examined. */
export type BatchVerificationItem =
  | { index: number; status: 'accepted' | 'rejected'; verification: AnyFormResult }
  | { index: number; status: 'failed'; error: { code: string; detail: string; errors?: unknown } };

/** The body of the answer: counts, then one item per document sent, in the order sent. */
export interface BatchVerificationAnswer {
  summary: { accepted: number; rejected: number; failed: number };
  results: BatchVerificationItem[];
}

const itemsSchema = (item: JsonSchema): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH_VERIFICATIONS,
      description: 'Each item is what POST /v1/verifications takes as JSON: a full form, {"fullForm": ...}, {"qr": "LC1:...", "fullForm"?: ...} or an annotated copy. Not a presentation QR (LP1:).',
      items: item,
    },
  },
});

/**
 * POST /v1/verifications/batch: up to 1,000 licences in one JSON request, for back offices (annual
 * inspections, migrations). Each item is verified exactly as POST /v1/verifications verifies it (the same
 * PresentedVerifier, one reading of the trust inputs for the whole batch), counted in the metrics and the
 * statistics, and charged one unit of the caller's rate limit. A malformed item fails alone, with the code
 * the single route would answer; a presentation QR (single use) is refused per item.
 */
export function batchVerificationRoute(services: NodeServices, verifier: PresentedVerifier, presentedForm: JsonSchema): RouteSpec {
  return route({
    method: 'post',
    path: '/v1/verifications/batch',
    permission: 'public',
    bodyText: 'verbatim',
    bodyLimitBytes: BATCH_VERIFICATION_BODY_BYTES,
    summary:
      `Verify up to ${MAX_BATCH_VERIFICATIONS} licences in one request: {"items": [...]}, each item what POST /v1/verifications takes as JSON ` +
      '(a full form, {"fullForm": ...}, {"qr": "LC1:...", "fullForm"?: ...}, or an annotated copy). One result per item, in the order sent: ' +
      '{index, status: accepted | rejected, verification: <the verification result of the single route>} or {index, status: failed, error: {code, detail}} ' +
      '(INPUT_UNREADABLE for an item that is no licence form, PRESENTATION_NOT_IN_BATCH for a presentation QR, LP1:, which is single use and presented on its own). ' +
      `Every item counts as one request against the caller's rate limit (429 RATE_LIMITED for the whole batch when they do not fit). The body may be up to ${BATCH_VERIFICATION_BODY_BYTES} bytes (413 INPUT_TOO_LARGE beyond).`,
    tag: 'verifications',
    input: {
      body: {
        schema: jsonSchema<unknown>(itemsSchema(presentedForm)),
        // The envelope is checked by the handler; each item is read strictly by the verifier, once (as the single route's body).
        mode: 'describe',
        example: { items: [{ qr: EXAMPLE_QR }] },
      },
    },
    responses: {
      '200': {
        description: 'summary {accepted, rejected, failed} and results: one per item, in order ({index, status, verification} or {index, status: failed, error})',
        schema: { type: 'object', required: ['summary', 'results'] },
      },
      '413': problem(`BATCH_TOO_LARGE: more than ${MAX_BATCH_VERIFICATIONS} items; INPUT_TOO_LARGE: a body over ${BATCH_VERIFICATION_BODY_BYTES} bytes`),
      '422': problem('SCHEMA_INVALID: the body is not {"items": [ ... ]} with at least one item'),
    },
    handler: async (req, res, ctx) => {
      const items = readItems(req);
      await chargeItems(req, ctx, items.length);
      const moment = await verifier.moment();
      const answer: BatchVerificationAnswer = { summary: { accepted: 0, rejected: 0, failed: 0 }, results: new Array(items.length) };
      for (let start = 0; start < items.length; start += ITEMS_PER_TURN) {
        if (start > 0) await new Promise((resolve) => setImmediate(resolve));
        // The statuses of a slice asked for together (one read of the change counter for all), then each verified.
        const slice = items.slice(start, start + ITEMS_PER_TURN).map((item, k) => prepareItem(verifier, moment, item, start + k));
        const prepared = await Promise.all(slice);
        // Together: on a node with verifier threads (ELICENSE_VERIFY_WORKERS) the slice is spread over all of them.
        const verified = await Promise.all(prepared.map((p) => ('error' in p ? p : verifyItem(services, verifier, moment, p, req.requestId))));
        for (const item of verified) {
          answer.summary[item.status]++;
          answer.results[item.index] = item;
        }
      }
      res.setHeader('Cache-Control', 'no-store');
      res.json(answer);
    },
  });
}

/** The "Try it out" example: compact QR text of no licence (the item is answered rejected, with its reasons; a real batch sends the licences it holds). */
const EXAMPLE_QR = 'LC1:6BFOXN*TS0BI$ZD.P9UNNTG%KYP4Q5DPB1IV1D$8NCXNTGUBI9FY6D+KB4RS-X/JT';

/** The items of the body, the envelope checked here (the door only describes it): SCHEMA_INVALID, BATCH_TOO_LARGE. */
function readItems(req: Request): unknown[] {
  const body: unknown = req.body;
  if (body === undefined) {
    const type = req.get('content-type');
    if (type !== undefined && type !== '' && !/^application\/(.+\+)?json\b/i.test(type)) {
      throw new ElicenseError('UNSUPPORTED_MEDIA_TYPE', `the request body must be JSON sent with Content-Type: application/json (it came as ${type.split(';')[0]!.trim()})`);
    }
    throw new ElicenseError('SCHEMA_INVALID', 'the request body is missing: send {"items": [ ... ]} with Content-Type: application/json', { errors: [{ path: '/items', message: 'required' }] });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ElicenseError('SCHEMA_INVALID', 'the request body must be a JSON object {"items": [ ... ]}', { errors: [{ path: '', message: 'must be object' }] });
  }
  const extra = Object.keys(body).filter((k) => k !== 'items');
  if (extra.length > 0) throw new ElicenseError('SCHEMA_INVALID', `the request body: unknown property ${extra[0]}`, { errors: extra.slice(0, 20).map((k) => ({ path: `/${k}`, message: `unknown property ${k}` })) });
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items)) throw new ElicenseError('SCHEMA_INVALID', 'the request body: /items must be an array of documents', { errors: [{ path: '/items', message: items === undefined ? 'required' : 'must be array' }] });
  if (items.length === 0) throw new ElicenseError('SCHEMA_INVALID', 'the request body: /items must have at least one document', { errors: [{ path: '/items', message: 'must NOT have fewer than 1 items' }] });
  if (items.length > MAX_BATCH_VERIFICATIONS) {
    throw new ElicenseError('BATCH_TOO_LARGE', `at most ${MAX_BATCH_VERIFICATIONS} documents per batch, got ${items.length}`, { errors: [{ path: '/items', message: `must NOT have more than ${MAX_BATCH_VERIFICATIONS} items` }] });
  }
  return items;
}

/**
 * Every item is one request against the caller's limit: the door charged one, the rest are charged here, all
 * at once before anything is verified (the whole batch or none of it). A batch larger than the whole limit
 * could never fit: said in the message.
 */
async function chargeItems(req: Request, ctx: RequestContext, count: number): Promise<void> {
  if (count <= 1) return;
  try {
    await req.chargeRateLimit(count - 1);
  } catch (e) {
    const limit = ctx.principal !== null ? ctx.services.config.keyRateLimit : ctx.services.config.publicRateLimit;
    if (isElicenseError(e) && e.code === 'RATE_LIMITED' && count > limit.max) {
      throw new ElicenseError('RATE_LIMITED', `a batch of ${count} documents counts as ${count} requests, more than the ${limit.max} per ${limit.windowSeconds} s this client may make: send smaller batches`, e.details ? { ...e.details } : undefined);
    }
    throw e;
  }
}

/** An item read as a presented form, with the status of the licence it names. */
interface PreparedItem {
  index: number;
  presented: PresentedForm;
  prefetched: PrefetchedStatus;
}

type FailedItem = Extract<BatchVerificationItem, { status: 'failed' }>;

/** Reads an item (INPUT_UNREADABLE, PRESENTATION_NOT_IN_BATCH fail it alone) and looks up its licence status. */
async function prepareItem(verifier: PresentedVerifier, moment: VerificationMoment, item: unknown, index: number): Promise<PreparedItem | FailedItem | { index: number; fault: unknown }> {
  try {
    const presented = presentedJsonBody(item);
    if (presented.kind === 'qr' && presented.text.slice(0, PRESENTATION_QR_PREFIX.length).toUpperCase() === PRESENTATION_QR_PREFIX) {
      throw new ElicenseError('PRESENTATION_NOT_IN_BATCH', 'a presentation QR (LP1:) is single use and resolved once: send it on its own to POST /v1/verifications');
    }
    return { index, presented, prefetched: await verifier.status(presented, moment) };
  } catch (e) {
    return isElicenseError(e) ? failedItem(index, e) : { index, fault: e };
  }
}

function failedItem(index: number, e: ElicenseError): FailedItem {
  const errors = e.details?.['errors'];
  return { index, status: 'failed', error: { code: e.code, detail: e.message, ...(Array.isArray(errors) ? { errors } : {}) } };
}

async function verifyItem(services: NodeServices, verifier: PresentedVerifier, moment: VerificationMoment, item: PreparedItem | { index: number; fault: unknown }, requestId: string): Promise<BatchVerificationItem> {
  const { index } = item;
  try {
    if ('fault' in item) throw item.fault;
    const verification = await verifier.verify(item.presented, moment, item.prefetched);
    return { index, status: verification.result, verification };
  } catch (e) {
    if (isElicenseError(e)) return failedItem(index, e);
    // A fault of this node on one item (a bug) fails that item, not the other 999: logged as the app logs a 500.
    services.logger.error({ reqId: requestId, index, err: e }, 'batch verification item failed');
    return { index, status: 'failed', error: { code: 'INTERNAL', detail: 'internal error' } };
  }
}
