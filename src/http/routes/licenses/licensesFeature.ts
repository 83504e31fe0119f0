import type { Response } from 'express';
import { ElicenseError, isElicenseError } from '../../../errors';
import type { LicenseSummary } from '../../../store/LicenseStore';
import type { NodeServices } from '../../NodeServices';
import type { Principal } from '../../../region/permissions';
import { route, type Feature, type RequestContext, type ResponseDoc, type RouteSpec } from '../../RouteSpec';
import { MAX_BATCH_RECORDS, refuseUnknownType, resolveIssueRequest, type BatchRecordRequest } from '../../../region/licenses/issueRequest';
import { createLicenseFormRoutes } from './licenseFormRoutes';
import { LicenseIssuance } from '../../../region/licenses/LicenseIssuance';
import { LicenseRecords, type LifecycleAction } from '../../../region/licenses/LicenseRecords';
import { licenseQueryOf } from './licenseRequests';
import { BatchRecordReader } from './readBatchRecord';
import { BATCH_REQUEST, IDEMPOTENCY_HEADER, ISSUE_REQUEST, LICENSE_PARAMS, LICENSE_QUERY, REASON_BODY, RETURN_QUERY, sampleIssueRequest } from './licenseSchemas';
import { schemaRef } from '../../openapi/componentSchemas';
import { problem } from '../../openapi/responseDocs';

const TAG = 'licences';

function caller(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
  return ctx.principal;
}

/** docs/adr/0005, "Licence lifecycle precedence", for the lifecycle routes' documentation. */
const PRECEDENCE =
  'Issuers: their own department\'s licences only (403 FORBIDDEN), while it is active (409 DEPARTMENT_NOT_ACTIVE), and not a status the region admin set ' +
  '(403 LICENSE_STATUS_SET_BY_REGION); region admins: every change the status machine allows; a change it refuses is 409 LICENSE_STATE_CONFLICT';

const location = (identifier: string): string => `/v1/licenses/${encodeURIComponent(identifier)}`;

/** The stored full form, byte for byte as signed and first handed out. */
function sendFullForm(res: Response, status: number, fullForm: string, licenseStatus?: string): void {
  if (licenseStatus !== undefined) res.setHeader('Elicense-Licence-Status', licenseStatus);
  res.status(status).type('application/json').send(fullForm);
}

function summaryView(l: LicenseSummary) {
  return {
    identifier: l.identifier,
    typeCode: l.typeCode,
    department: l.uscc,
    status: l.status,
    statusEntry: { listId: l.statusListId, index: l.statusIndex },
    issuedAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
    replaces: l.replaces,
    replacedBy: l.replacedBy,
    license: l.record,
  };
}

/** Re-issue links beside a full form (its body is the signed document, so they travel as headers). */
function setReplacementHeaders(res: Response, l: LicenseSummary): void {
  if (l.replaces !== null) res.setHeader('Elicense-Replaces', l.replaces);
  if (l.replacedBy !== null) res.setHeader('Elicense-Replaced-By', l.replacedBy);
}

const WARNINGS_HEADER = {
  'Elicense-Warnings': 'Comma-separated codes of the acknowledged validation warnings the licence carries (acknowledgeWarnings); a verifier shows the same codes',
};
const ISSUE_REFUSALS: Record<string, ResponseDoc> = {
  '409': problem(
    'LICENSE_NUMBER_IN_USE: a licence of this type and department that is not revoked holds the certificate number (errors[0].identifier names it; re-issue with replaces); ' +
      'LICENSE_STATE_CONFLICT: the licence named in replaces is revoked or already replaced; IDEMPOTENCY_KEY_REUSED / IDEMPOTENCY_KEY_IN_PROGRESS',
  ),
  '422': problem(
    'SCHEMA_INVALID, CODE_INVALID, TYPE_UNKNOWN; RECORD_WARNING_UNACKNOWLEDGED: the data carries a warning verification would show (errors: field, code), send its code in acknowledgeWarnings if the data is right; ' +
      'TEXT_CONTROL_CHARACTER: a control character in a text field (errors[0].path); LICENSE_REPLACEMENT_INVALID: replaces names a licence of another type',
  ),
};

/**
 * Issuance (one and batch), retrieval, search, lifecycle (revoke, suspend,
 * reinstate) and history of the region's licences. Issuers act for their own
 * department only; region admins and auditors read every department.
 */
export function createLicensesFeature(services: NodeServices): Feature {
  const batchRecords = new BatchRecordReader(services.catalog);
  const issuance = new LicenseIssuance(services);
  const records = new LicenseRecords(services);

  const lifecycle = (action: LifecycleAction, summary: string): RouteSpec =>
    route({
      method: 'post',
      path: `/v1/licenses/:identifier/${action}`,
      permission: 'licence:lifecycle',
      summary,
      tag: TAG,
      // A missing or bad reason has always been 400 INPUT_MALFORMED here.
      input: { params: { schema: LICENSE_PARAMS }, body: { schema: REASON_BODY, code: 'INPUT_MALFORMED', example: { reason: '营业执照遗失补发' } } },
      handler: async (_req, res, ctx, input) => {
        const result = await records.changeStatus(caller(ctx), input.params.identifier, action, input.body.reason);
        res.json(result);
      },
    });

  const routes: RouteSpec[] = [
    route({
      method: 'post',
      path: '/v1/licenses',
      permission: 'licence:issue',
      summary:
        'Issue a licence for the caller\'s department: {typeCode | type, standardVersion?, data: {holder, certificateNumber, effectiveDate, expiringDate?, areaCode?, extendInfo}, acknowledgeWarnings?, replaces?: {identifier, reason}}; ' +
        'Idempotency-Key makes a retry return the same licence (Idempotent-Replayed: true). Answers 201 with the signed full form and Location. ' +
        'A certificate number held by a licence that is not revoked is refused (409 LICENSE_NUMBER_IN_USE) unless replaces names it (换发/补发: it is revoked with the reason, in the same transaction). ' +
        'Data verification would flag is refused (422 RECORD_WARNING_UNACKNOWLEDGED) unless acknowledgeWarnings lists the codes; then Elicense-Warnings names them.',
      tag: TAG,
      input: { headers: { schema: IDEMPOTENCY_HEADER }, body: { schema: ISSUE_REQUEST, example: sampleIssueRequest(services.catalog), before: (body) => refuseUnknownType(services.catalog, body) } },
      responses: {
        '201': { description: 'Issued (or replayed, Idempotent-Replayed: true): the signed full form; Location names the licence', schema: schemaRef('FullForm'), headers: WARNINGS_HEADER },
        ...ISSUE_REFUSALS,
      },
      handler: async (_req, res, ctx, input) => {
        const key = input.headers['Idempotency-Key'];
        const request = resolveIssueRequest(services.catalog, input.body);
        const outcome = await issuance.issueOne(caller(ctx), request, key);
        res.setHeader('Location', location(outcome.identifier));
        if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
        // Acknowledged warnings the licence carries (a verifier will show the same codes); the body stays the signed form.
        if (outcome.warnings.length > 0) res.setHeader('Elicense-Warnings', [...new Set(outcome.warnings.map((w) => w.code))].join(', '));
        sendFullForm(res, 201, outcome.fullForm);
      },
    }),
    route({
      method: 'post',
      path: '/v1/licenses/batch',
      permission: 'licence:issue',
      bodyText: 'per-record',
      summary:
        `Issue up to ${MAX_BATCH_RECORDS} licences: {records: [{idempotencyKey?, typeCode | type, standardVersion?, data}]}. ` +
        'Each record succeeds or fails on its own; committed in chunks, so a crash leaves no half-written chunk and a re-run with the same keys creates no duplicates. ?return=minimal leaves the full forms out.',
      tag: TAG,
      input: {
        query: { schema: RETURN_QUERY },
        body: {
          schema: BATCH_REQUEST,
          codeFor: { maxItems: 'BATCH_TOO_LARGE' },
          itemsReadAlone: '/records',
          example: { records: [{ ...sampleIssueRequest(services.catalog), idempotencyKey: 'batch-2024-03-15-1' }] },
        },
      },
      responses: {
        '200': {
          description:
            'Summary (created, replayed, failed) and a result per record, in order. A created record lists its acknowledged warnings ({path, code, message}) in `warnings`; ' +
            'a failed one has error {code, detail, errors?} with the codes of the single issuance (LICENSE_NUMBER_IN_USE also for a second record with the same number in the batch, errors[0].index naming the first)',
          schema: { type: 'object', required: ['summary', 'results'] },
        },
        '413': problem(`BATCH_TOO_LARGE: more than ${MAX_BATCH_RECORDS} records`),
      },
      handler: async (_req, res, ctx, input) => {
        const principal = caller(ctx);
        const minimal = input.query.return === 'minimal';
        const parsed: Array<BatchRecordRequest | ElicenseError> = input.body.records.map((r) => {
          try {
            return batchRecords.read(r);
          } catch (e) {
            if (isElicenseError(e)) return e;
            throw e;
          }
        });
        const results = await issuance.issueBatch(principal, parsed);
        const summary = { created: 0, replayed: 0, failed: 0 };
        for (const r of results) summary[r.status]++;
        res.json({
          summary,
          results: results.map((r) =>
            r.status === 'failed'
              ? r
              : {
                  index: r.index,
                  ...(r.idempotencyKey !== undefined ? { idempotencyKey: r.idempotencyKey } : {}),
                  status: r.status,
                  identifier: r.identifier,
                  location: location(r.identifier),
                  ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
                  ...(minimal ? {} : { license: JSON.parse(r.fullForm) as unknown }),
                },
          ),
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/licenses',
      permission: 'licence:read',
      summary: 'Search a department\'s licences (issuers: their own; others name ?department=USCC): typeCode, status, holderCode, from, to (issue time), cursor, limit (≤ 500)',
      tag: TAG,
      input: { query: { schema: LICENSE_QUERY } },
      handler: async (_req, res, ctx, input) => {
        const page = await records.list(caller(ctx), licenseQueryOf(input.query));
        res.json({ items: page.items.map(summaryView), next: page.next });
      },
    }),
    // Before the JSON route, whose :identifier would also match "<identifier>.pdf".
    ...createLicenseFormRoutes(services, records),
    route({
      method: 'get',
      path: '/v1/licenses/:identifier',
      permission: 'licence:read',
      summary: 'The signed full form of a licence (its current status in the Elicense-Licence-Status header); reading is audited',
      tag: TAG,
      input: { params: { schema: LICENSE_PARAMS } },
      responses: {
        '200': {
          description: 'The signed full form (status in Elicense-Licence-Status)',
          schema: schemaRef('FullForm'),
          headers: {
            'Elicense-Licence-Status': 'valid, suspended or revoked',
            'Elicense-Replaces': 'The licence this one re-issued (换发/补发), when it replaced one',
            'Elicense-Replaced-By': 'The licence that re-issued this one, when it was replaced',
          },
        },
      },
      handler: async (_req, res, ctx, input) => {
        const license = await records.read(caller(ctx), input.params.identifier);
        res.setHeader('Cache-Control', 'no-store');
        setReplacementHeaders(res, license);
        sendFullForm(res, 200, license.fullForm, license.status);
      },
    }),
    lifecycle('revoke', `Revoke a licence (final) with a reason. ${PRECEDENCE}`),
    lifecycle('suspend', `Suspend a valid licence with a reason. ${PRECEDENCE}`),
    lifecycle('reinstate', `Reinstate a suspended licence with a reason. ${PRECEDENCE}`),
    route({
      method: 'get',
      path: '/v1/licenses/:identifier/events',
      permission: 'licence:read',
      summary: 'Status history of a licence: issued, suspended, reinstated, revoked, with reasons, actors and times',
      tag: TAG,
      input: { params: { schema: LICENSE_PARAMS } },
      handler: async (_req, res, ctx, input) => {
        const identifier = input.params.identifier;
        const events = await records.events(caller(ctx), identifier);
        res.json({
          identifier,
          events: events.map((e) => ({ from: e.fromStatus, to: e.toStatus, reason: e.reason, actor: e.actor, at: e.at.toISOString() })),
        });
      },
    }),
  ];
  return { name: 'licences', routes };
}
