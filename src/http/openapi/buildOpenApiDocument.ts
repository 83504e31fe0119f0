import type { HttpMethod, RouteSpec } from '../RouteSpec';
import { schemaRef, type JsonSchema } from './componentSchemas';
import type { RouteDoc } from './routeDocs';

/** What the generator needs of a route: the declaration, not the handler. */
export type RouteDeclaration = Pick<RouteSpec, 'method' | 'path' | 'permission' | 'summary' | 'tag'>;

export interface OpenApiInput {
  routes: readonly RouteDeclaration[];
  version: string;
  schemas: Record<string, JsonSchema>;
  /** Request and response schemas of routes that have them, by `routeKey`. */
  docs: Readonly<Record<string, RouteDoc>>;
}

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, Record<string, unknown>>> };

export const routeKey = (method: HttpMethod, path: string): string => `${method.toUpperCase()} ${path}`;

const PROBLEM = { 'application/problem+json': { schema: schemaRef('Problem') } };
const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * The node's OpenAPI 3.1 document, generated from its route table, so the
 * document cannot drift from the routes actually mounted. Each operation
 * carries its declared permission twice: as a security requirement (the
 * permission as the required role/scope of the API-key scheme, as OpenAPI 3.1
 * allows for non-OAuth schemes) and as `x-permission`.
 */
export function buildOpenApiDocument(input: OpenApiInput): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  for (const route of input.routes) {
    const path = route.path.replace(PARAM, '{$1}');
    const doc = input.docs[routeKey(route.method, route.path)] ?? {};
    tags.add(route.tag);
    const operation: Record<string, unknown> = {
      operationId: operationId(route),
      summary: route.summary,
      tags: [route.tag],
      'x-permission': route.permission,
      security: route.permission === 'public' ? [] : [{ apiKey: [route.permission] }, { apiKeyHeader: [route.permission] }],
    };
    const params = [...route.path.matchAll(PARAM)].map((m) => ({ name: m[1], in: 'path', required: true, schema: doc.pathParameters?.[m[1]!] ?? { type: 'string' } }));
    const headers = (doc.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required ?? false, description: h.description, schema: { type: 'string' } }));
    const query = Object.entries(doc.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
    if (params.length + headers.length + query.length > 0) operation['parameters'] = [...params, ...headers, ...query];
    if (doc.requestBody) {
      const other = Object.fromEntries(Object.entries(doc.otherRequestTypes ?? {}).map(([type, schema]) => [type, { schema }]));
      operation['requestBody'] = { required: true, content: { 'application/json': { schema: doc.requestBody }, ...other } };
    }
    operation['responses'] = responses(route, doc);
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'elicense issuing node',
      version: input.version,
      description:
        'Issuance, lifecycle and verification of unified electronic licences. Errors are RFC 9457 problem+json with a stable `code`. ' +
        'Every operation states the permission it needs (`x-permission`); `public` operations need no key and are rate-limited per client.',
    },
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: input.schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}

function responses(route: RouteDeclaration, doc: RouteDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const declared = doc.responses ?? { '200': { description: 'OK' } };
  for (const [status, r] of Object.entries(declared)) {
    out[status] = {
      description: r.description,
      ...(r.schema === undefined ? {} : { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }),
      ...(r.headers === undefined ? {} : { headers: Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }),
    };
  }
  // Every caller is limited: by address without a key, by key with one; failed authentications are throttled.
  out['429'] = {
    description: 'Too many requests (RATE_LIMITED: per client address without a key, per API key with one; AUTHENTICATION_THROTTLED: too many failed authentications from this client); Retry-After',
    content: PROBLEM,
  };
  if (route.permission !== 'public') {
    out['401'] = { description: 'No or unknown API key (UNAUTHENTICATED)', content: PROBLEM };
    out['403'] = { description: `The key's role lacks ${route.permission} (FORBIDDEN)`, content: PROBLEM };
  }
  // Every door refuses control characters in path, query and (except verbatim documents) JSON body text.
  out['422'] ??= { description: 'TEXT_CONTROL_CHARACTER: a control character in a path segment, query parameter or body text (errors[0].path names it)', content: PROBLEM };
  out['default'] = { description: 'Error (problem+json with a stable code)', content: PROBLEM };
  return out;
}

/** e.g. POST /v1/licenses/:identifier/revoke → postV1LicensesByIdentifierRevoke */
function operationId(route: RouteDeclaration): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith(':') ? `by-${seg.slice(1)}` : seg))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}
