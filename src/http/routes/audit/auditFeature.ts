import type { Request } from 'express';
import { ElicenseError } from '../../../errors';
import type { NodeServices } from '../../NodeServices';
import type { Feature } from '../../RouteSpec';
import { auditEntryView, auditVerificationView } from '../../../region/audit/auditViews';
import { verifyStoredAuditLog } from '../../../region/audit/verifyStoredAuditLog';

const TAG = 'audit';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function wholeNumber(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ElicenseError('INPUT_MALFORMED', `query parameter ${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/** Reading and verifying the hash-chained audit log (audit:read). */
export function createAuditFeature(services: NodeServices): Feature {
  return {
    name: 'audit',
    routes: [
      {
        method: 'get',
        path: '/v1/audit',
        permission: 'audit:read',
        summary: 'Audit log entries after a sequence number, in order (page with after and limit)',
        tag: TAG,
        handler: async (req, res) => {
          const after = wholeNumber(req, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
          const limit = wholeNumber(req, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
          const entries = await services.stores.audit.read(services.db, after, limit);
          const last = entries[entries.length - 1];
          res.json({ entries: entries.map(auditEntryView), next: entries.length === limit && last ? last.seq : null });
        },
      },
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
