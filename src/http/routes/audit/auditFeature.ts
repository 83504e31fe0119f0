import type { NodeServices } from '../../NodeServices';
import { route, type Feature } from '../../RouteSpec';
import { integer, object } from '../../schema/Schema';
import { auditEntryView, auditVerificationView } from '../../../region/audit/auditViews';
import { verifyStoredAuditLog } from '../../../region/audit/verifyStoredAuditLog';

const TAG = 'audit';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** GET /v1/audit paging; other parameters are let pass, as they always were. */
const AUDIT_QUERY = object(
  {
    after: integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Entries after this sequence number (the `next` of the previous page)', default: 0 }),
    limit: integer({ minimum: 1, maximum: MAX_LIMIT, description: 'Page size', default: DEFAULT_LIMIT }),
  },
  [],
  { additionalProperties: true },
);

/** Reading and verifying the hash-chained audit log (audit:read). */
export function createAuditFeature(services: NodeServices): Feature {
  return {
    name: 'audit',
    routes: [
      route({
        method: 'get',
        path: '/v1/audit',
        permission: 'audit:read',
        summary: 'Audit log entries after a sequence number, in order (page with after and limit)',
        tag: TAG,
        input: { query: { schema: AUDIT_QUERY } },
        handler: async (_req, res, _ctx, input) => {
          const after = input.query.after ?? 0;
          const limit = input.query.limit ?? DEFAULT_LIMIT;
          const entries = await services.stores.audit.read(services.db, after, limit);
          const last = entries[entries.length - 1];
          res.json({ entries: entries.map(auditEntryView), next: entries.length === limit && last ? last.seq : null });
        },
      }),
      {
        method: 'get',
        path: '/v1/audit/verify',
        permission: 'audit:read',
        summary: 'Verify the whole audit chain: ok, or the first changed, removed, reordered or inserted entry',
        tag: TAG,
        handler: async (_req, res) => {
          const result = await verifyStoredAuditLog(services.db, services.stores.audit);
          res.json({ ...auditVerificationView(result), checkedAt: services.clock.now().toISOString() });
        },
      },
    ],
  };
}
