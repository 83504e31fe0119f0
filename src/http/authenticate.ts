import type { Request } from 'express';
import { ElicenseError, isElicenseError } from '../errors';
import type { NodeServices } from './NodeServices';
import type { Principal } from '../region/permissions';

/** Counts failed authentications per client (StoreRateLimiter, scope "auth-failures"). */
export interface AuthFailureThrottle {
  check(client: string): Promise<void>;
  /** Seconds left in the window when the client has used up its failures, else null. */
  exceeded(client: string): Promise<number | null>;
}

/**
 * Resolves the caller from `Authorization: Bearer <key>` (or `X-API-Key`).
 * No credentials: null (public routes still work). Credentials that do not
 * match an active key: UNAUTHENTICATED, never silently anonymous. With a
 * throttle, each failure counts against the client's address, and a client
 * that has failed too often gets AUTHENTICATION_THROTTLED (429) for the rest
 * of the window, before its key is even looked at, so guessing keys does not
 * pay even when a guess would be right.
 */
export async function authenticate(req: Request, services: NodeServices, failures?: AuthFailureThrottle): Promise<Principal | null> {
  const header = req.get('authorization');
  const apiKeyHeader = req.get('x-api-key');
  if (header === undefined && apiKeyHeader === undefined) return null;
  const client = req.ip ?? 'unknown';
  const retryAfterSeconds = failures ? await failures.exceeded(client) : null;
  if (retryAfterSeconds !== null) {
    services.metrics.authFailures.inc({ outcome: 'throttled' });
    throw new ElicenseError('AUTHENTICATION_THROTTLED', `too many failed authentications from this client; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
  const fail = async (message: string): Promise<never> => {
    services.metrics.authFailures.inc({ outcome: 'rejected' });
    try {
      await failures?.check(client);
    } catch (e) {
      if (!isElicenseError(e) || e.code !== 'RATE_LIMITED') throw e;
      // The failure that used up the budget: note it once; the next attempts are throttled.
      services.logger.warn({ reqId: req.requestId }, 'authentication failures from one client over the limit: throttling it');
    }
    throw new ElicenseError('UNAUTHENTICATED', message);
  };
  let secret: string;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return fail('Authorization must be "Bearer <api key>"');
    secret = m[1]!;
  } else {
    secret = apiKeyHeader!;
  }
  const key = await services.stores.apiKeys.authenticate(services.db, secret);
  if (!key) return fail('unknown or revoked API key');
  return { keyId: key.keyId, role: key.role, uscc: key.uscc, label: key.label };
}
