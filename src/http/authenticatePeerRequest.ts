import type { Request } from 'express';
import { ElicenseError } from '../errors';
import type { RouteSpec } from './RouteSpec';
import type { NodeServices } from './NodeServices';
import { REQUEST_SIGNATURE_HEADER } from '../trust/peer/departmentRequest';
import type { PeerDepartmentCaller } from '../trust/peer/departmentRequestCheck';

/**
 * A route of mode `peer-request` (docs/adr/0006, "Departments of peer regions"): a request carrying
 * Elicense-Request-Signature is authenticated as a department of a peer region (or refused with the
 * check's stable code); without it, null, and the API key (if any) is judged as on every route, which
 * no role's permissions reach (FORBIDDEN), while a request with no credentials at all is
 * REQUEST_SIGNATURE_MISSING.
 */
export async function authenticatePeerRequest(req: Request, route: RouteSpec, services: NodeServices): Promise<PeerDepartmentCaller | null> {
  if (route.auth !== 'peer-request') return null;
  const signature = req.get(REQUEST_SIGNATURE_HEADER);
  if (signature === undefined) return null;
  return services.peerRequests.authenticate({ signature, method: req.method, path: req.originalUrl, body: req.body as unknown });
}

/** The refusal of a caller without credentials: a peer-request route says what it wants instead of an API key. */
export function missingCredentials(route: RouteSpec): ElicenseError {
  return route.auth === 'peer-request'
    ? new ElicenseError('REQUEST_SIGNATURE_MISSING', `${route.method.toUpperCase()} ${route.path} is for departments of peer regions: the request must carry ${REQUEST_SIGNATURE_HEADER}, made by their node`)
    : new ElicenseError('UNAUTHENTICATED', `${route.method.toUpperCase()} ${route.path} needs an API key`);
}
