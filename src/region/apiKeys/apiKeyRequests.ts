import { ElicenseError } from '../../errors';
import type { RecordIssue } from '../../standards/recordValidation';
import { ROLES, type Role } from '../permissions';

export interface CreateApiKeyRequest {
  role: Role;
  uscc: string | null;
  label: string;
}

const MAX_LABEL = 200;

/**
 * POST /v1/api-keys: {role, uscc?, label}. An issuer key names its
 * department; region admin and auditor keys are region-wide and name none
 * (a department-scoped auditor would read the whole region: refuse the
 * illusion of a scope the permissions do not enforce).
 */
export function readCreateApiKey(body: unknown): CreateApiKeyRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ElicenseError('SCHEMA_INVALID', 'the request body must be a JSON object', { errors: [{ path: '', message: 'must be an object' }] });
  }
  const b = body as Record<string, unknown>;
  const issues: RecordIssue[] = [];
  for (const key of Object.keys(b)) if (!['role', 'uscc', 'label'].includes(key)) issues.push({ path: `/${key}`, message: `unknown property ${key}` });
  const role = b['role'];
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) issues.push({ path: '/role', message: `must be one of ${ROLES.join(', ')}` });
  const uscc = b['uscc'] ?? null;
  if (uscc !== null && typeof uscc !== 'string') issues.push({ path: '/uscc', message: 'must be a string' });
  if (role === 'issuer' && uscc === null) issues.push({ path: '/uscc', message: 'an issuer key needs the USCC of its department' });
  if ((role === 'region_admin' || role === 'auditor') && uscc !== null) issues.push({ path: '/uscc', message: `a ${role} key is region-wide and names no department` });
  const label = b['label'];
  if (typeof label !== 'string' || label.trim() === '' || label.length > MAX_LABEL) {
    issues.push({ path: '/label', message: `must be a non-empty string of at most ${MAX_LABEL} characters` });
  }
  if (issues.length > 0) {
    throw new ElicenseError('SCHEMA_INVALID', `API key request: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { errors: issues });
  }
  return { role: role as Role, uscc: uscc as string | null, label: (label as string).trim() };
}
