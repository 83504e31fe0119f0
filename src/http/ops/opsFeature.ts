import { readFileSync } from 'node:fs';
import express, { type Request, type Response } from 'express';
import { ElicenseError } from '../../errors';
import { repoPath } from '../../repoPath';
import type { NodeServices } from '../NodeServices';
import { route, type Feature } from '../RouteSpec';
import { object, string } from '../schema/Schema';
import { problem } from '../openapi/responseDocs';
import { buildOpenApiDocument, type OpenApiDocument, type RouteDeclaration } from '../openapi/buildOpenApiDocument';
import { componentSchemas } from '../openapi/componentSchemas';
import { DOCS_ASSETS, DOCS_ASSET_PREFIX, DOCS_HTML, DOCS_INIT_JS, DOCS_INIT_SCRIPT, swaggerUiDistDir } from '../openapi/docsPage';

export interface NodeRuntime {
  /** False while the node starts or shuts down (/readyz). */
  isReady(): boolean;
}

/** How long /readyz waits for the database before calling it unavailable. */
const READY_DB_TIMEOUT_MS = 1000;

/**
 * Operability routes: liveness, readiness, Prometheus metrics, the OpenAPI
 * document (generated from the node's route table, `routeTable`) and its
 * interactive page. Public, except the metrics: their per-department counts
 * need statistics:read (see ADR 0005).
 */
export function createOpsFeature(services: NodeServices, runtime: NodeRuntime, routeTable: () => readonly RouteDeclaration[]): Feature {
  let openApi: OpenApiDocument | undefined;
  const openApiDocument = (): OpenApiDocument =>
    (openApi ??= buildOpenApiDocument({ routes: routeTable(), version: packageVersion(), schemas: componentSchemas(services.catalog) }));
  const swaggerUi = express.static(swaggerUiDistDir(), { index: false, fallthrough: false, maxAge: '1d' });

  return {
    name: 'ops',
    routes: [
      {
        method: 'get',
        path: '/healthz',
        permission: 'public',
        tag: 'ops',
        summary: 'Liveness: the process is up (does not touch the database)',
        responses: { '200': { description: 'The process is alive', schema: { type: 'object', properties: { status: { const: 'ok' } } } } },
        handler: (_req, res) => {
          res.setHeader('Cache-Control', 'no-store');
          res.json({ status: 'ok' });
        },
      },
      {
        method: 'get',
        path: '/readyz',
        permission: 'public',
        tag: 'ops',
        summary: 'Readiness: started, not shutting down, and the database answers',
        responses: {
          '200': { description: 'Ready: started and the database answers', schema: { type: 'object', properties: { status: { const: 'ready' }, store: { enum: ['postgres', 'embedded'] } } } },
          '503': problem('NOT_READY (starting or stopping) or STORE_UNAVAILABLE'),
        },
        handler: async (_req, res) => {
          res.setHeader('Cache-Control', 'no-store');
          if (!runtime.isReady()) throw new ElicenseError('NOT_READY', 'the node is starting or shutting down');
          await pingDatabase(services, READY_DB_TIMEOUT_MS);
          res.json({ status: 'ready', store: services.db.kind });
        },
      },
      {
        method: 'get',
        path: '/metrics',
        // Counts per department and type are the operator dashboard's data: not for anyone who can reach the port.
        permission: 'statistics:read',
        tag: 'ops',
        summary: 'Prometheus metrics (API key with statistics:read: region admin or auditor): issuance and verification counts by type, department and result; request latencies',
        responses: { '200': { description: 'Prometheus text exposition format', schema: { type: 'string' }, contentType: 'text/plain' } },
        handler: async (_req, res) => {
          const text = await services.metrics.registry.metrics();
          res.setHeader('Cache-Control', 'no-store');
          res.type(services.metrics.registry.contentType).send(text);
        },
      },
      {
        method: 'get',
        path: '/openapi.json',
        permission: 'public',
        tag: 'ops',
        summary: 'The OpenAPI 3.1 document of this node, generated from its route table',
        responses: { '200': { description: 'This document', schema: { type: 'object' } } },
        handler: (_req, res) => {
          res.json(openApiDocument());
        },
      },
      {
        method: 'get',
        path: '/docs',
        permission: 'public',
        tag: 'ops',
        summary: 'Interactive API page (Swagger UI, served locally)',
        responses: { '200': { description: 'Interactive API page', schema: { type: 'string' }, contentType: 'text/html' } },
        handler: (_req, res) => {
          res.type('html').send(DOCS_HTML);
        },
      },
      {
        method: 'get',
        path: DOCS_INIT_SCRIPT,
        permission: 'public',
        tag: 'ops',
        summary: 'Script of the interactive API page',
        handler: (_req, res) => {
          res.type('text/javascript').send(DOCS_INIT_JS);
        },
      },
      route({
        method: 'get',
        path: `${DOCS_ASSET_PREFIX}:file`,
        permission: 'public',
        tag: 'ops',
        summary: 'Swagger UI files of the interactive API page',
        input: { params: { schema: object({ file: string({ description: 'A file of the page', examples: ['swagger-ui.css'] }) }, ['file']) } },
        handler: (req, res, _ctx, input) => serveStatic(swaggerUi, req, res, input.params.file),
      }),
    ],
  };
}

/** Hands the request to express.static for one allowed file name, and settles when the response does. */
function serveStatic(serve: express.RequestHandler, req: Request, res: Response, file: string): Promise<void> {
  if (!DOCS_ASSETS.has(file)) return Promise.reject(new ElicenseError('NOT_FOUND', `no asset ${file}`));
  return new Promise((ok, fail) => {
    res.once('finish', () => ok());
    res.once('close', () => ok());
    const url = req.url;
    req.url = `/${file}`;
    serve(req, res, (err?: unknown) => {
      req.url = url;
      const status = (err as { status?: unknown } | undefined)?.status;
      fail(err === undefined || status === 404 ? new ElicenseError('NOT_FOUND', `no asset ${file}`) : err);
    });
  });
}

async function pingDatabase(services: NodeServices, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_ok, fail) => {
    timer = setTimeout(() => fail(new ElicenseError('STORE_UNAVAILABLE', `the ${services.db.kind} database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([services.db.query('SELECT 1'), timeout]);
  } catch (e) {
    if (e instanceof ElicenseError && e.code === 'STORE_UNAVAILABLE') throw e;
    throw new ElicenseError('STORE_UNAVAILABLE', `the ${services.db.kind} database is unavailable`, undefined, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version;
}
