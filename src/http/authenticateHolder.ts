import type { Request } from 'express';
import { ElicenseError, isElicenseError } from '../errors';
import { HolderIdentity } from '../holder/identity/HolderIdentity';
import type { HolderPrincipal } from '../region/permissions';
import type { AuthFailureThrottle } from './authenticate';
import type { NodeServices } from './NodeServices';
import type { RouteSpec } from './RouteSpec';

const JWT_SHAPE = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * A route of mode `holder-token` (docs/adr/0012, "Identity"): `Authorization: Bearer <JWT>` from a configured
 * identity provider names the holder (or HOLDER_TOKEN_INVALID / HOLDER_TOKEN_EXPIRED, counted as failed
 * authentications of the client). No credentials: UNAUTHENTICATED. Anything else (an API key) is null here
 * and judged as on every route: no role holds holder:self, so a valid key is FORBIDDEN, a wrong one 401.
 */
export async function authenticateHolder(req: Request, route: RouteSpec, services: NodeServices, failures: AuthFailureThrottle): Promise<HolderPrincipal | null> {
  if (route.auth !== 'holder-token') return null;
  const header = req.get('authorization');
  if (header === undefined && req.get('x-api-key') === undefined) {
    throw new ElicenseError('UNAUTHENTICATED', `${route.method.toUpperCase()} ${route.path} is for holders: sign in and send Authorization: Bearer <holder token>`);
  }
  const token = header === undefined ? undefined : JWT_SHAPE.exec(header)?.[1];
  if (token === undefined) return null;
  const client = req.ip ?? 'unknown';
  const retryAfterSeconds = await failures.exceeded(client);
  if (retryAfterSeconds !== null) {
    services.metrics.authFailures.inc({ outcome: 'throttled' });
    throw new ElicenseError('AUTHENTICATION_THROTTLED', `too many failed authentications from this client; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
  try {
    return await HolderIdentity.of(services).verify(token);
  } catch (e) {
    if (isElicenseError(e) && (e.code === 'HOLDER_TOKEN_INVALID' || e.code === 'HOLDER_TOKEN_EXPIRED')) {
      services.metrics.authFailures.inc({ outcome: 'rejected' });
      await failures.check(client).catch((limit: unknown) => {
        if (!isElicenseError(limit) || limit.code !== 'RATE_LIMITED') throw limit;
      });
    }
    throw e;
  }
}
