import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { ElicenseError } from '../errors';
import { checkRequestText } from '../json/checkRequestText';
import { parseStrictJson } from '../json/parseStrictJson';
import type { NodeServices } from './NodeServices';
import { authenticate, type AuthFailureThrottle } from './authenticate';
import { authenticatePeerRequest, missingCredentials } from './authenticatePeerRequest';
import { authenticateHolder } from './authenticateHolder';
import { holderActor } from '../holder/usageLog';
import { can } from '../region/permissions';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';
import type { Feature, RequestContext, RouteInputValues, RouteSpec } from './RouteSpec';
import type { RateLimiter } from './ops/RateLimiter';
import { RouteInputReader } from './schema/readRouteInput';

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    /**
     * Charges this request `units` more against the limit that admitted it
     * (the caller's API key, or the client address on public routes): a route
     * whose input turns out expensive (an image, a PDF) calls it. RATE_LIMITED when they do not fit.
     */
    chargeRateLimit(units: number): Promise<void>;
    /** A JSON body's bytes as read, with the limits the door parsed it under (a verifier thread parses them again itself). */
    rawJsonBody?: { bytes: Buffer; maxBytes: number; maxDepth: number };
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Deepest nesting a JSON body may have. */
const JSON_BODY_MAX_DEPTH = 32;

export interface AppOptions {
  features: Feature[];
  /** Public routes called without a key: per client address. */
  rateLimiter: RateLimiter;
  /** Every request made with a valid API key, on any route: per key. */
  keyRateLimiter: RateLimiter;
  /** Failed authentications: per client address. */
  authFailures: AuthFailureThrottle;
}

/**
 * The HTTP edge of a node: request ids, security headers, strict JSON bodies,
 * authentication (failures throttled per client) and the declared permission
 * of every route, rate limits (per client on public routes, per API key
 * everywhere), and problem+json for every error. Features supply routes;
 * this file supplies the rules all routes share.
 */
export function createApp(services: NodeServices, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.trustProxyHops);
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    req.requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      services.metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      // No bodies, no credentials, no personal data: method, route pattern, status, timing.
      services.logger.info({ reqId: req.requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 }, 'request');
    });
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // The verifier page compiles its QR decoder from WebAssembly; that is all 'wasm-unsafe-eval' allows (no eval, no inline scripts).
          scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
          // blob: URLs are licence PDFs and QR images the pages fetched with the signed-in key, shown without putting the key in a URL.
          imgSrc: ["'self'", 'data:', 'blob:'],
          frameSrc: ["'self'", 'blob:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          // Not helmet's default upgrade-insecure-requests: a node on a plain-HTTP intranet address would
          // lose its own pages' scripts and styles (TLS belongs to the proxy in front, when there is one).
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  // Routes that take a batch of documents have a larger JSON body limit of their own (by method and path).
  const routeLimits = new Map(
    options.features.flatMap((f) => f.routes).flatMap((r) => (r.bodyLimitBytes !== undefined && !r.path.includes(':') ? [[`${r.method.toUpperCase()} ${r.path.toLowerCase()}`, Math.max(r.bodyLimitBytes, services.config.bodyLimitBytes)] as const] : [])),
  );
  app.use(strictJsonBody(services.config.bodyLimitBytes, routeLimits));

  const inputs = new RouteInputReader();
  for (const feature of options.features) {
    for (const route of feature.routes) mount(app, route, inputs.compile(route), services, options);
  }

  app.use((req: Request, _res: Response, next: NextFunction) => next(new ElicenseError('NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = toProblem(bodyParserError(error), req.requestId);
    if (problem.status >= 500) services.logger.error({ reqId: req.requestId, err: error }, 'request failed');
    if (typeof problem['retryAfterSeconds'] === 'number') res.setHeader('Retry-After', String(problem['retryAfterSeconds']));
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  });
  return app;
}

/**
 * One route behind the doors every route shares, in order: authentication and
 * permission, rate limit, control characters, then the route's declared input
 * (schemas checked with ajv); the handler runs only on input that passed, and gets it typed.
 */
function mount(app: express.Express, route: RouteSpec, readInput: (req: Request) => RouteInputValues<unknown, unknown, unknown, unknown>, services: NodeServices, options: AppOptions): void {
  app[route.method](route.path, (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const holder = await authenticateHolder(req, route, services, options.authFailures);
      const peer = holder === null ? await authenticatePeerRequest(req, route, services, options.authFailures) : null;
      const principal = peer === null && holder === null ? await authenticate(req, services, options.authFailures) : null;
      if (holder !== null ? route.permission !== 'holder:self' : peer !== null ? route.permission !== 'federation:peer' : !can(principal, route.permission)) {
        throw principal === null
          ? missingCredentials(route)
          : new ElicenseError('FORBIDDEN', `role ${principal.role} may not ${route.permission}`);
      }
      // A key (or a peer department) has a limit of its own (not the public one); anonymous callers reach only public routes.
      const [limit, limiter, client] =
        principal !== null ? (['key', options.keyRateLimiter, principal.keyId] as const)
        : peer !== null ? (['key', options.keyRateLimiter, `peer:${peer.region}:${peer.uscc}`] as const)
        : holder !== null ? (['key', options.keyRateLimiter, holderActor(holder.holderCode)] as const)
        : (['public', options.rateLimiter, req.ip ?? 'unknown'] as const);
      req.chargeRateLimit = (units) =>
        limiter.check(client, units).catch((e: unknown) => {
          if (e instanceof ElicenseError && e.code === 'RATE_LIMITED') services.metrics.rateLimited.inc({ limit });
          throw e;
        });
      await req.chargeRateLimit(1);
      refuseControlText(req, route);
      const input = readInput(req);
      const ctx: RequestContext = { principal, requestId: req.requestId, services, ...(peer !== null ? { peer } : {}), ...(holder !== null ? { holder } : {}) };
      await route.handler(req, res, ctx, input);
    })().catch(next);
  });
}

/** Control characters in path segments, query parameters and JSON bodies: 422 naming the field, at the door of every route. */
function refuseControlText(req: Request, route: RouteSpec): void {
  checkRequestText(req.params, { singleLine: true });
  checkRequestText(req.query, { singleLine: true });
  if (route.bodyText === undefined && !Buffer.isBuffer(req.body)) checkRequestText(req.body);
}

/** JSON bodies are parsed by our strict parser: duplicate keys, depth and size are refused, not guessed at. */
function strictJsonBody(nodeLimit: number, routeLimits: ReadonlyMap<string, number> = new Map()) {
  const readers = new Map([nodeLimit, ...routeLimits.values()].map((limit) => [limit, express.raw({ type: ['application/json', 'application/*+json'], limit })]));
  return (req: Request, res: Response, next: NextFunction) => {
    const limit = routeLimits.size === 0 ? nodeLimit : (routeLimits.get(`${req.method} ${req.path.toLowerCase().replace(/(.)\/+$/, '$1')}`) ?? nodeLimit);
    const raw = readers.get(limit)!;
    // A declared length over the limit is refused before the body is read (body-parser would drain it first).
    if (Number(req.get('content-length')) > limit && req.is(['application/json', 'application/*+json'])) {
      res.setHeader('Connection', 'close');
      return next(new ElicenseError('INPUT_TOO_LARGE', `request bodies are limited to ${limit} bytes`));
    }
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (Buffer.isBuffer(req.body)) {
        try {
          const bytes: Buffer = req.body;
          req.body = bytes.length === 0 ? undefined : parseStrictJson(bytes, { maxBytes: limit, maxDepth: JSON_BODY_MAX_DEPTH });
          if (bytes.length > 0) req.rawJsonBody = { bytes, maxBytes: limit, maxDepth: JSON_BODY_MAX_DEPTH };
        } catch (e) {
          return next(e);
        }
      }
      next();
    });
  };
}

/** body-parser reports oversized or unreadable bodies with its own errors; give them our codes. */
function bodyParserError(error: unknown): unknown {
  const e = error as { type?: string; status?: number } | null;
  if (e && typeof e === 'object' && typeof e.type === 'string') {
    if (e.type === 'entity.too.large') return new ElicenseError('INPUT_TOO_LARGE', 'request body too large');
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new ElicenseError('UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding');
    return new ElicenseError('INPUT_MALFORMED', 'request body could not be read');
  }
  return error;
}
