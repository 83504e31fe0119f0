import type { Request } from 'express';
import { ElicenseError } from '../../../errors';
import type { LicenseQuery, LicenseStatus } from '../../../store/LicenseStore';

const MAX_REASON = 1000;
const STATUSES: readonly LicenseStatus[] = ['valid', 'revoked', 'suspended'];
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function bad(path: string, message: string): ElicenseError {
  return new ElicenseError('INPUT_MALFORMED', `${path}: ${message}`, { errors: [{ path, message }] });
}

/** Body of revoke / suspend / reinstate: {"reason": "..."} (1–1000 characters). */
export function readReason(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('/', 'the body must be {"reason": "..."}');
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).filter((k) => k !== 'reason');
  if (extra.length > 0) throw bad(`/${extra[0]}`, 'unknown property');
  const reason = record['reason'];
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON) throw bad('/reason', `a reason of 1 to ${MAX_REASON} characters is required`);
  return reason;
}

function param(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(name, 'give this query parameter once, as text');
  return v;
}

function date(req: Request, name: string): Date | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (!DATE.test(v) || Number.isNaN(d.getTime())) throw bad(name, 'an ISO 8601 date or date-time');
  return d;
}

const KNOWN = new Set(['typeCode', 'status', 'holderCode', 'from', 'to', 'cursor', 'limit', 'department']);

/** GET /v1/licenses?typeCode&status&holderCode&from&to&cursor&limit&department */
export function readLicenseQuery(req: Request): Omit<LicenseQuery, 'uscc'> & { uscc: string | undefined } {
  for (const k of Object.keys(req.query as object)) if (!KNOWN.has(k)) throw bad(k, 'unknown query parameter');
  const status = param(req, 'status');
  if (status !== undefined && !STATUSES.includes(status as LicenseStatus)) throw bad('status', `one of ${STATUSES.join(', ')}`);
  const limitText = param(req, 'limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!/^\d{1,3}$/.test(limitText!) || limit < 1 || limit > 500)) throw bad('limit', 'a whole number from 1 to 500');
  const holderCode = param(req, 'holderCode');
  const typeCode = param(req, 'typeCode');
  const from = date(req, 'from');
  const to = date(req, 'to');
  const cursor = param(req, 'cursor');
  return {
    uscc: param(req, 'department'),
    ...(typeCode !== undefined ? { typeCode } : {}),
    ...(status !== undefined ? { status: status as LicenseStatus } : {}),
    ...(holderCode !== undefined ? { recordContains: { certificateHolderCode: holderCode } } : {}),
    ...(from !== undefined ? { createdFrom: from } : {}),
    ...(to !== undefined ? { createdBefore: to } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(cursor !== undefined ? { after: cursor } : {}),
  };
}
