import type { Request, Response } from 'express';
import type { NodeServices } from './NodeServices';
import type { Permission, Principal } from '../region/permissions';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler gets besides the request: who is calling and the node's services. */
export interface RequestContext {
  principal: Principal | null;
  requestId: string;
  services: NodeServices;
}

/**
 * One route, declared with the permission it needs. The app mounts only
 * declared routes, so a route without a permission cannot exist; the access
 * matrix test and the OpenAPI document read the same table.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** Express path, e.g. /v1/licenses/:identifier */
  path: string;
  permission: Permission;
  summary: string;
  /** OpenAPI tag (feature name). */
  tag: string;
  /**
   * Control characters in the JSON body are refused at the door for the whole
   * body, unless the handler checks record by record (a batch: one bad record
   * fails alone) or the body is a presented document verified as it is.
   */
  bodyText?: 'per-record' | 'verbatim';
  handler(req: Request, res: Response, ctx: RequestContext): Promise<void> | void;
}

/** A feature module: its routes, built from the node's services by the composition root. */
export interface Feature {
  name: string;
  routes: RouteSpec[];
}
