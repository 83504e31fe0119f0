import type { Request } from 'express';
import { ElicenseError } from '../../errors';
import type { NodeServices } from '../NodeServices';
import type { Principal } from './permissions';

/**
 * Resolves the caller from `Authorization: Bearer <key>` (or `X-API-Key`).
 * No credentials: null (public routes still work). Credentials that do not
 * match an active key: UNAUTHENTICATED, never silently anonymous.
 */
export async function authenticate(req: Request, services: NodeServices): Promise<Principal | null> {
  const header = req.get('authorization');
  let secret: string | undefined;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ElicenseError('UNAUTHENTICATED', 'Authorization must be "Bearer <api key>"');
    secret = m[1];
  } else {
    secret = req.get('x-api-key') ?? undefined;
  }
  if (secret === undefined) return null;
  const key = await services.stores.apiKeys.authenticate(services.db, secret);
  if (!key) throw new ElicenseError('UNAUTHENTICATED', 'unknown or revoked API key');
  return { keyId: key.keyId, role: key.role, uscc: key.uscc, label: key.label };
}
