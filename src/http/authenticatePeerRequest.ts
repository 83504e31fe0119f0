import type { Request } from 'express';
import { ElicenseError, isElicenseError, type ErrorCode } from '../errors';
import type { AuthFailureThrottle } from './authenticate';
import type { RouteSpec } from './RouteSpec';
import type { NodeServices } from './NodeServices';
import { REQUEST_SIGNATURE_HEADER } from '../trust/peer/departmentRequest';
import type { PeerDepartmentCaller } from '../trust/peer/departmentRequestCheck';

/**
 * A route of mode `peer-request` (docs/adr/0006, "Departments of peer regions"): a request carrying
 * Elicense-Request-Signature is authenticated as a department of a peer region (or refused with the
 * check's stable code); without it, null, and the API key (if any) is judged as on every route, which
 * no role's permissions reach (FORBIDDEN), while a request with no credentials at all is
 * REQUEST_SIGNATURE_MISSING. Refusals that a forger or a replayer earns count as failed authentications of the
 * client (AUTHENTICATION_THROTTLED once over the limit, as for API keys); DEPARTMENT_NOT_LISTED does not, since an
 * honest peer gets it while this node has not yet synced its new trust list.
 */
export async function authenticatePeerRequest(req: Request, route: RouteSpec, services: NodeServices, failures?: AuthFailureThrottle): Promise<PeerDepartmentCaller | null> {
  if (route.auth !== 'peer-request') return null;
  const signature = req.get(REQUEST_SIGNATURE_HEADER);
  if (signature === undefined) return null;
  const client = req.ip ?? 'unknown';
  const retryAfterSeconds = failures ? await failures.exceeded(client) : null;
  if (retryAfterSeconds !== null) {
    services.metrics.authFailures.inc({ outcome: 'throttled' });
    throw new ElicenseError('AUTHENTICATION_THROTTLED', `too many failed authentications from this client; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
  try {
    return await services.peerRequests.authenticate({ signature, method: req.method, path: req.originalUrl, body: req.body as unknown });
  } catch (e) {
    if (isElicenseError(e) && COUNTED_FAILURES.has(e.code)) {
      services.metrics.authFailures.inc({ outcome: 'rejected' });
      await failures?.check(client).catch((limit: unknown) => {
        if (!isElicenseError(limit) || limit.code !== 'RATE_LIMITED') throw limit;
      });
    }
    throw e;
  }
}

const COUNTED_FAILURES: ReadonlySet<ErrorCode> = new Set(['REQUEST_SIGNATURE_INVALID', 'REQUEST_EXPIRED', 'REQUEST_REPLAYED', 'PEER_NOT_RECOGNISED']);

/** The refusal of a caller without credentials: a peer-request route says what it wants instead of an API key. */
export function missingCredentials(route: RouteSpec): ElicenseError {
  return route.auth === 'peer-request'
    ? new ElicenseError('REQUEST_SIGNATURE_MISSING', `${route.method.toUpperCase()} ${route.path} is for departments of peer regions: the request must carry ${REQUEST_SIGNATURE_HEADER}, made by their node`)
    : new ElicenseError('UNAUTHENTICATED', `${route.method.toUpperCase()} ${route.path} needs an API key`);
}
