import type { Request, Response } from 'express';
import type { ErrorCode } from '../errors';
import type { NodeServices } from './NodeServices';
import type { HolderPrincipal, Permission, Principal } from '../region/permissions';
import type { JsonSchema, Schema } from './schema/Schema';
import type { PeerDepartmentCaller } from '../trust/peer/departmentRequestCheck';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler gets besides the request: who is calling and the node's services. */
export interface RequestContext {
  principal: Principal | null;
  /** On a route of mode `peer-request`: the department of a peer region whose node signed the request. */
  peer?: PeerDepartmentCaller;
  /** On a route of mode `holder-token`: the signed-in holder. */
  holder?: HolderPrincipal;
  requestId: string;
  services: NodeServices;
}

/** One part of a request (path parameters, query, headers, body) with the schema the door checks it against. */
export interface InputPart<T> {
  schema: Schema<T>;
  /** The code a refusal carries: SCHEMA_INVALID (422) for bodies, INPUT_MALFORMED (400) otherwise, unless a route has always answered another. */
  code?: ErrorCode;
  /** A code for a particular failing keyword (e.g. maxItems → BATCH_TOO_LARGE), when every failure is of that keyword. */
  codeFor?: Readonly<Record<string, ErrorCode>>;
}

export interface BodyInput<T> extends InputPart<T> {
  /** A request may leave the body out; the handler then sees {}. */
  optional?: boolean;
  /**
   * 'describe': the schema documents the body and the door does not read it
   * (the verification route: the presented licence is read strictly by the
   * verifier, once). Default 'validate'.
   */
  mode?: 'validate' | 'describe';
  /**
   * A JSON pointer to an array whose items the handler reads one by one (a
   * batch, where one bad record fails alone): the door leaves failures inside
   * the items to the handler.
   */
  itemsReadAlone?: string;
  /** An example body that works against the demo node ("Try it out"); it must match the schema (tested). */
  example?: unknown;
  /** Media types other than application/json the body may have (uploads), documented with their schemas. */
  otherTypes?: Readonly<Record<string, JsonSchema>>;
  /**
   * A refusal that says more than the schema's, made before it (e.g. a type the catalogue does not know is
   * TYPE_UNKNOWN, not a list of the fields its data lacks). Gets the body as sent; throws to refuse.
   */
  before?: (body: unknown) => void;
}

/** What a route reads from a request, declared once: checked at the door, shown in the OpenAPI document, handed to the handler typed. */
export interface RouteInput<B, Q, P, H> {
  params?: InputPart<P>;
  query?: InputPart<Q>;
  /** Request headers, by the name the document shows (matched without regard to case). */
  headers?: InputPart<H>;
  body?: BodyInput<B>;
}

/** The validated input a handler receives; a part the route does not declare is undefined. */
export interface RouteInputValues<B, Q, P, H> {
  params: P;
  query: Q;
  headers: H;
  body: B;
}

export interface ResponseDoc {
  description: string;
  schema?: JsonSchema;
  /** Default application/json. */
  contentType?: string;
  /** Response headers worth naming, with their descriptions. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * One route, declared with the permission it needs. The app mounts only
 * declared routes, so a route without a permission cannot exist; the access
 * matrix test and the OpenAPI document read the same table.
 */
export interface RouteSpec<B = any, Q = any, P = any, H = any> {
  method: HttpMethod;
  /** Express path, e.g. /v1/licenses/:identifier */
  path: string;
  permission: Permission;
  /**
   * How the caller is known. Default: an API key (or none, on public routes). `peer-request`: a department of a
   * peer region, by the request its node signed (Elicense-Request-Signature, docs/adr/0006); the route's
   * permission is then `federation:peer`, and ctx.peer names the department.
   * `holder-token`: a holder signed in through an identity provider (Authorization: Bearer <JWT>, docs/adr/0012);
   * the route's permission is then `holder:self`, and ctx.holder names the holder.
   */
  auth?: 'peer-request' | 'holder-token';
  summary: string;
  /** OpenAPI tag (feature name). */
  tag: string;
  /**
   * Control characters in the JSON body are refused at the door for the whole
   * body, unless the handler checks record by record (a batch: one bad record
   * fails alone) or the body is a presented document verified as it is.
   */
  bodyText?: 'per-record' | 'verbatim';
  /**
   * A JSON body limit of this route larger than the node's (ELICENSE_BODY_LIMIT_BYTES), for a batch of
   * documents (POST /v1/verifications/batch); 413 INPUT_TOO_LARGE beyond it, as beyond the node's.
   */
  bodyLimitBytes?: number;
  input?: RouteInput<B, Q, P, H>;
  /** The answers worth documenting beyond those every route has (401, 403, 422, 429, default). */
  responses?: Readonly<Record<string, ResponseDoc>>;
  handler(req: Request, res: Response, ctx: RequestContext, input: RouteInputValues<B, Q, P, H>): Promise<void> | void;
}

/** A route whose handler gets its declared input typed: the types are inferred from the schemas of `input`. */
export function route<B = undefined, Q = undefined, P = undefined, H = undefined>(spec: RouteSpec<B, Q, P, H>): RouteSpec {
  return spec as RouteSpec;
}

/** A feature module: its routes, built from the node's services by the composition root. */
export interface Feature {
  name: string;
  routes: RouteSpec[];
}
