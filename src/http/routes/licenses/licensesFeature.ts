import type { Request, Response } from 'express';
import { ElicenseError, isElicenseError } from '../../../errors';
import type { LicenseSummary } from '../../../store/LicenseStore';
import type { NodeServices } from '../../NodeServices';
import type { Principal } from '../../../region/permissions';
import type { Feature, RequestContext, RouteSpec } from '../../RouteSpec';
import { checkIdempotencyKey, IssueRequestReader, MAX_BATCH_RECORDS, type BatchRecordRequest } from '../../../region/licenses/issueRequest';
import { createLicenseFormRoutes } from './licenseFormRoutes';
import { LicenseIssuance } from '../../../region/licenses/LicenseIssuance';
import { LicenseRecords, type LifecycleAction } from '../../../region/licenses/LicenseRecords';
import { readLicenseQuery, readReason } from './licenseRequests';

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

/**
 * Issuance (one and batch), retrieval, search, lifecycle (revoke, suspend,
 * reinstate) and history of the region's licences. Issuers act for their own
 * department only; region admins and auditors read every department.
 */
export function createLicensesFeature(services: NodeServices): Feature {
  const reader = new IssueRequestReader(services.catalog);
  const issuance = new LicenseIssuance(services);
  const records = new LicenseRecords(services);

  const lifecycle = (action: LifecycleAction, summary: string): RouteSpec => ({
    method: 'post',
    path: `/v1/licenses/:identifier/${action}`,
    permission: 'licence:lifecycle',
    summary,
    tag: TAG,
    handler: async (req, res, ctx) => {
      const result = await records.changeStatus(caller(ctx), String(req.params['identifier']), action, readReason(req.body));
      res.json(result);
    },
  });

  const routes: RouteSpec[] = [
    {
      method: 'post',
      path: '/v1/licenses',
      permission: 'licence:issue',
      summary:
        'Issue a licence for the caller\'s department: {typeCode | type, standardVersion?, data: {holder, certificateNumber, effectiveDate, expiringDate?, areaCode?, extendInfo}, acknowledgeWarnings?, replaces?: {identifier, reason}}; ' +
        'Idempotency-Key makes a retry return the same licence (Idempotent-Replayed: true). Answers 201 with the signed full form and Location. ' +
        'A certificate number held by a licence that is not revoked is refused (409 LICENSE_NUMBER_IN_USE) unless replaces names it (换发/补发: it is revoked with the reason, in the same transaction). ' +
        'Data verification would flag is refused (422 RECORD_WARNING_UNACKNOWLEDGED) unless acknowledgeWarnings lists the codes; then Elicense-Warnings names them.',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const header = req.get('idempotency-key');
        const key = header === undefined ? undefined : checkIdempotencyKey(header);
        const request = reader.readIssue(req.body);
        const outcome = await issuance.issueOne(caller(ctx), request, key);
        res.setHeader('Location', location(outcome.identifier));
        if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
        // Acknowledged warnings the licence carries (a verifier will show the same codes); the body stays the signed form.
        if (outcome.warnings.length > 0) res.setHeader('Elicense-Warnings', [...new Set(outcome.warnings.map((w) => w.code))].join(', '));
        sendFullForm(res, 201, outcome.fullForm);
      },
    },
    {
      method: 'post',
      path: '/v1/licenses/batch',
      permission: 'licence:issue',
      bodyText: 'per-record',
      summary:
        `Issue up to ${MAX_BATCH_RECORDS} licences: {records: [{idempotencyKey?, typeCode | type, standardVersion?, data}]}. ` +
        'Each record succeeds or fails on its own; committed in chunks, so a crash leaves no half-written chunk and a re-run with the same keys creates no duplicates. ?return=minimal leaves the full forms out.',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const principal = caller(ctx);
        const body = req.body as { records?: unknown } | undefined;
        if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(body.records) || Object.keys(body).some((k) => k !== 'records')) {
          throw new ElicenseError('SCHEMA_INVALID', 'the body must be {"records": [...]}', { errors: [{ path: '/records', message: 'required array' }] });
        }
        if (body.records.length > MAX_BATCH_RECORDS) throw new ElicenseError('BATCH_TOO_LARGE', `at most ${MAX_BATCH_RECORDS} records per batch, got ${body.records.length}`);
        if (body.records.length === 0) throw new ElicenseError('SCHEMA_INVALID', 'the batch has no records', { errors: [{ path: '/records', message: 'empty' }] });
        const minimal = req.query['return'] === 'minimal';
        const parsed: Array<BatchRecordRequest | ElicenseError> = body.records.map((r) => {
          try {
            return reader.readBatchRecord(r);
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
    },
    {
      method: 'get',
      path: '/v1/licenses',
      permission: 'licence:read',
      summary: 'Search a department\'s licences (issuers: their own; others name ?department=USCC): typeCode, status, holderCode, from, to (issue time), cursor, limit (≤ 500)',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const page = await records.list(caller(ctx), readLicenseQuery(req));
        res.json({ items: page.items.map(summaryView), next: page.next });
      },
    },
    // Before the JSON route, whose :identifier would also match "<identifier>.pdf".
    ...createLicenseFormRoutes(services, records),
    {
      method: 'get',
      path: '/v1/licenses/:identifier',
      permission: 'licence:read',
      summary: 'The signed full form of a licence (its current status in the Elicense-Licence-Status header); reading is audited',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const license = await records.read(caller(ctx), String(req.params['identifier']));
        res.setHeader('Cache-Control', 'no-store');
        setReplacementHeaders(res, license);
        sendFullForm(res, 200, license.fullForm, license.status);
      },
    },
    lifecycle('revoke', `Revoke a licence (final) with a reason. ${PRECEDENCE}`),
    lifecycle('suspend', `Suspend a valid licence with a reason. ${PRECEDENCE}`),
    lifecycle('reinstate', `Reinstate a suspended licence with a reason. ${PRECEDENCE}`),
    {
      method: 'get',
      path: '/v1/licenses/:identifier/events',
      permission: 'licence:read',
      summary: 'Status history of a licence: issued, suspended, reinstated, revoked, with reasons, actors and times',
      tag: TAG,
      handler: async (req: Request, res: Response, ctx) => {
        const identifier = String(req.params['identifier']);
        const events = await records.events(caller(ctx), identifier);
        res.json({
          identifier,
          events: events.map((e) => ({ from: e.fromStatus, to: e.toStatus, reason: e.reason, actor: e.actor, at: e.at.toISOString() })),
        });
      },
    },
  ];
  return { name: 'licences', routes };
}
