import type { InputPart, RouteSpec } from '../RouteSpec';
import type { ErrorCode } from '../../errors';
import { statusOf } from '../problem';
import { DEFAULT_CODE } from '../schema/readRouteInput';
import { schemaRef, type JsonSchema } from './componentSchemas';

/** What the generator needs of a route: the declaration (with its input schemas and documented answers), not the handler. */
export type RouteDeclaration = Pick<RouteSpec, 'method' | 'path' | 'permission' | 'summary' | 'tag' | 'input' | 'responses'> & Partial<Pick<RouteSpec, 'auth'>>;

export interface OpenApiInput {
  routes: readonly RouteDeclaration[];
  version: string;
  schemas: Record<string, JsonSchema>;
}

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, Record<string, unknown>>> };

const PROBLEM = { 'application/problem+json': { schema: schemaRef('Problem') } };
const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * The node's OpenAPI 3.1 document, generated from its route table, so the
 * document cannot drift from the routes actually mounted: parameters and
 * bodies are the very schemas the door validates with (RouteSpec.input). Each operation
 * carries its declared permission twice: as a security requirement (the
 * permission as the required role/scope of the API-key scheme, as OpenAPI 3.1
 * allows for non-OAuth schemes) and as `x-permission`.
 */
export function buildOpenApiDocument(input: OpenApiInput): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  for (const route of input.routes) {
    const path = route.path.replace(PARAM, '{$1}');
    tags.add(route.tag);
    const operation: Record<string, unknown> = {
      operationId: operationId(route),
      summary: route.summary,
      tags: [route.tag],
      'x-permission': route.permission,
      security: route.auth === 'peer-request' ? [{ peerRequest: [] }] : route.auth === 'holder-token' ? [{ holderToken: [] }] : route.permission === 'public' ? [] : [{ apiKey: [route.permission] }, { apiKeyHeader: [route.permission] }],
    };
    const declared = route.input ?? {};
    const pathNames = [...route.path.matchAll(PARAM)].map((m) => m[1]!);
    const parameters = [
      ...pathNames.map((name) => parameter(name, 'path', propertiesOf(declared.params)[name] ?? { type: 'string' }, true)),
      ...Object.entries(propertiesOf(declared.headers)).map(([name, schema]) => parameter(name, 'header', schema, requiredOf(declared.headers).includes(name))),
      ...Object.entries(propertiesOf(declared.query)).map(([name, schema]) => parameter(name, 'query', schema, requiredOf(declared.query).includes(name))),
    ];
    if (parameters.length > 0) operation['parameters'] = parameters;
    const body = declared.body;
    if (body) {
      const other = Object.fromEntries(Object.entries(body.otherTypes ?? {}).map(([type, schema]) => [type, { schema }]));
      const json = { schema: body.schema.json, ...(body.example === undefined ? {} : { example: body.example }) };
      operation['requestBody'] = { required: body.optional !== true, content: { 'application/json': json, ...other } };
    }
    operation['responses'] = responses(route);
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    // No jsonSchemaDialect: the OpenAPI 3.1 default dialect is the one our schemas are written in (2020-12
    // with OpenAPI's vocabulary), and Swagger UI warns about any other value.
    openapi: '3.1.0',
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
        peerRequest: {
          type: 'apiKey',
          in: 'header',
          name: 'Elicense-Request-Signature',
          description:
            "A department of a peer region: a compact JWS (typ elicense-request+jws) its region's node signs with the department's licence-signing key over {method, path, bodyDigest, region, uscc, aud, iat, exp, jti}; checked under the peer's pinned root and its trust list as this node holds it (docs/adr/0006, \"Departments of peer regions\").",
        },
        holderToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A holder signed in through a configured identity provider (HOLDER_IDENTITY_FILE; in a demo region the DEMO one: POST /v1/holder/demo-sign-in): Authorization: Bearer <JWT>, ES256, PS256 or EdDSA (docs/adr/0012).',
        },
      },
    },
  };
}

const propertiesOf = (part: InputPart<unknown> | undefined): Record<string, JsonSchema> => (part?.schema.json['properties'] as Record<string, JsonSchema> | undefined) ?? {};
const requiredOf = (part: InputPart<unknown> | undefined): string[] => (part?.schema.json['required'] as string[] | undefined) ?? [];

/** A parameter with its schema; its first example fills the field in "Try it out". */
function parameter(name: string, where: 'path' | 'query' | 'header', schema: JsonSchema, required: boolean): Record<string, unknown> {
  const { description, ...rest } = schema as JsonSchema & { description?: string; examples?: unknown[] };
  const example = rest.examples?.[0];
  return { name, in: where, required, ...(description === undefined ? {} : { description }), schema: rest, ...(example === undefined ? {} : { example }) };
}

function responses(route: RouteDeclaration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const declared = route.responses ?? { '200': { description: 'OK' } };
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
  if (route.auth === 'peer-request') {
    out['401'] = { description: 'REQUEST_SIGNATURE_MISSING, REQUEST_SIGNATURE_INVALID, REQUEST_EXPIRED, REQUEST_REPLAYED: the signed request is absent, does not hold, is out of its time window or was used before', content: PROBLEM };
    out['403'] = { description: 'PEER_NOT_RECOGNISED (the region is not a peer of this node), DEPARTMENT_NOT_LISTED (its trust list does not list the department active with that certificate); FORBIDDEN for an API key', content: PROBLEM };
  } else if (route.auth === 'holder-token') {
    out['401'] = { description: 'UNAUTHENTICATED (no holder token), HOLDER_TOKEN_INVALID (not a token of a configured identity provider), HOLDER_TOKEN_EXPIRED', content: PROBLEM };
    out['403'] = { description: 'FORBIDDEN: an API key (holder routes take a holder token)', content: PROBLEM };
  } else if (route.permission !== 'public') {
    out['401'] = { description: 'No or unknown API key (UNAUTHENTICATED)', content: PROBLEM };
    out['403'] = { description: `The key's role lacks ${route.permission} (FORBIDDEN)`, content: PROBLEM };
  }
  // The refusals of the declared input, at the statuses of their codes (a route's own 4xx descriptions stay).
  // Every door refuses control characters in path, query and (except verbatim documents) JSON body text.
  const controlText = 'TEXT_CONTROL_CHARACTER: a control character in a path segment, query parameter or body text (errors[0].path names it)';
  for (const [status, codes] of inputRefusals(route)) {
    const described = `${codes.join(', ')}: the input does not match its schema (errors: path, message)`;
    out[status] ??= { description: status === '422' ? `${described}; ${controlText}` : described, content: PROBLEM };
  }
  out['422'] ??= { description: controlText, content: PROBLEM };
  out['default'] = { description: 'Error (problem+json with a stable code)', content: PROBLEM };
  return out;
}

/** The codes a route's declared input is refused with, by HTTP status. */
function inputRefusals(route: RouteDeclaration): Map<string, ErrorCode[]> {
  const input = route.input ?? {};
  const parts: Array<[InputPart<unknown> | undefined, ErrorCode]> = [
    [input.params, DEFAULT_CODE.params],
    [input.query, DEFAULT_CODE.query],
    [input.headers, DEFAULT_CODE.headers],
    [input.body?.mode === 'describe' ? undefined : input.body, DEFAULT_CODE.body],
  ];
  const byStatus = new Map<string, ErrorCode[]>();
  for (const [part, fallback] of parts) {
    if (!part) continue;
    for (const code of [part.code ?? fallback, ...Object.values(part.codeFor ?? {})]) {
      const status = String(statusOf(code));
      const codes = byStatus.get(status) ?? [];
      if (!codes.includes(code)) byStatus.set(status, [...codes, code]);
    }
  }
  return byStatus;
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
