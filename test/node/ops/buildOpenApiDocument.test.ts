import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument, type OpenApiDocument, type RouteDeclaration } from '../../../src/http/openapi/buildOpenApiDocument';
import { componentSchemas } from '../../../src/http/openapi/componentSchemas';
import type { NodeServices } from '../../../src/http/NodeServices';
import { nodeFeatures } from '../../../src/http/routes/nodeFeatures';
import { MAX_REASON } from '../../../src/http/schema/commonSchemas';
import type { JsonSchema } from '../../../src/http/schema/Schema';
import { StandardsCatalog } from '../../../src/standards/StandardsCatalog';

const catalog = StandardsCatalog.load();

/** The node's route table, built as the node builds it (declarations only: no handler runs here). */
const table: RouteDeclaration[] = nodeFeatures({ catalog, config: { uploadRateCost: 10 } } as unknown as NodeServices, { isReady: () => true }).flatMap((f) => f.routes);
const declared = (method: string, path: string): RouteDeclaration => table.find((r) => r.method === method && r.path === path)!;

const routes: RouteDeclaration[] = [
  declared('get', '/healthz'),
  declared('post', '/v1/verifications'),
  declared('get', '/v1/licenses/:identifier'),
  declared('post', '/v1/licenses/:identifier/revoke'),
];

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function build(list: readonly RouteDeclaration[] = routes): OpenApiDocument {
  return buildOpenApiDocument({ routes: list, version: '9.9.9', schemas: componentSchemas(catalog) });
}

/** Ajv over the document's components, so a schema with $ref to #/components/schemas/... compiles. */
function validatorOf(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  const id = 'https://elicense.example/openapi.json';
  ajv.addSchema({ $id: id, components: doc['components'] });
  return (schema: JsonSchema) => ajv.compile({ ...JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, `"${id}#/components/`)) });
}

describe('OpenAPI document generated from the route table', () => {
  it('is an OpenAPI 3.1 document with every route, in OpenAPI path syntax', () => {
    const doc = build();
    expect(doc['openapi']).toBe('3.1.0');
    expect(doc['info']).toMatchObject({ version: '9.9.9' });
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/v1/licenses/{identifier}', '/v1/licenses/{identifier}/revoke', '/v1/verifications']);
    const ids = routes.map((r) => doc.paths[openApiPath(r.path)]![r.method]!['operationId']);
    expect(new Set(ids).size).toBe(routes.length);
  });

  it('does not open /docs with a warning: no jsonSchemaDialect other than the OpenAPI 3.1 default', () => {
    const dialect = build()['jsonSchemaDialect'];
    expect([undefined, 'https://spec.openapis.org/oas/3.1/dialect/base']).toContain(dialect);
  });

  it('documents every media type POST /v1/verifications takes (JSON, image, PDF, QR text)', () => {
    const content = (build().paths['/v1/verifications']!['post']!['requestBody'] as { content: Record<string, unknown> }).content;
    expect(Object.keys(content).sort()).toEqual(['application/json', 'application/octet-stream', 'application/pdf', 'image/jpeg', 'image/png', 'text/plain']);
  });

  it('documents the honest-issuance fields: acknowledgeWarnings and replaces in the request, the refusals, and the response headers', () => {
    const doc = build([...routes, declared('post', '/v1/licenses')]);
    const issue = doc.paths['/v1/licenses']!['post']! as { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> }; responses: Record<string, any> };
    expect(Object.keys(issue.requestBody.content['application/json']!.schema.properties)).toEqual(expect.arrayContaining(['acknowledgeWarnings', 'replaces']));
    expect(issue.responses['409'].description).toContain('LICENSE_NUMBER_IN_USE');
    expect(issue.responses['422'].description).toContain('RECORD_WARNING_UNACKNOWLEDGED');
    expect(Object.keys(issue.responses['201'].headers)).toEqual(['Elicense-Warnings']);
    const read = doc.paths['/v1/licenses/{identifier}']!['get']! as { responses: Record<string, any> };
    expect(Object.keys(read.responses['200'].headers)).toEqual(expect.arrayContaining(['Elicense-Replaces', 'Elicense-Replaced-By']));
    expect(read.responses['422'].description).toContain('TEXT_CONTROL_CHARACTER');
  });

  it('states each permission as a security requirement and as x-permission', () => {
    const doc = build();
    const revoke = doc.paths['/v1/licenses/{identifier}/revoke']!['post']!;
    expect(revoke['x-permission']).toBe('licence:lifecycle');
    expect(revoke['security']).toEqual([{ apiKey: ['licence:lifecycle'] }, { apiKeyHeader: ['licence:lifecycle'] }]);
    expect(Object.keys(revoke['responses'] as object)).toEqual(expect.arrayContaining(['401', '403', 'default']));
    // Keyed callers are rate-limited too (per key), and failed authentications are throttled.
    expect((revoke['responses'] as Record<string, { description: string }>)['429']?.description).toMatch(/per API key.*AUTHENTICATION_THROTTLED/);
    // The reason is refused as the route has always refused it (400 INPUT_MALFORMED), and the document says so.
    expect((revoke['responses'] as Record<string, { description: string }>)['400']?.description).toContain('INPUT_MALFORMED');
    const verify = doc.paths['/v1/verifications']!['post']!;
    expect(verify['x-permission']).toBe('public');
    expect(verify['security']).toEqual([]);
    expect(Object.keys(verify['responses'] as object)).toContain('429');
    expect(doc['components']).toMatchObject({ securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } });
  });

  it('declares path parameters, tags and summaries', () => {
    const doc = build();
    const get = doc.paths['/v1/licenses/{identifier}']!['get']!;
    expect(get['parameters']).toEqual([expect.objectContaining({ name: 'identifier', in: 'path', required: true })]);
    expect(get['tags']).toEqual(['licences']);
    expect(get['summary']).toBe(declared('get', '/v1/licenses/:identifier').summary);
    expect((doc['tags'] as Array<{ name: string }>).map((t) => t.name)).toEqual(['licences', 'ops', 'verifications']);
  });

  it('takes the licence record schema from the standards envelopes (1.0.0 and 1.1.0) and names every problem code', () => {
    const schemas = componentSchemas(catalog);
    const envelopes = [...catalog.envelopeSchemas.values()].map(({ $schema: _d, $id: _i, ...envelope }) => envelope);
    expect(envelopes).toHaveLength(2);
    expect(schemas['LicenceRecord']).toEqual({ oneOf: envelopes });
    expect((schemas['Problem'] as { properties: { code: { enum: string[] } } }).properties.code.enum).toContain('RATE_LIMITED');
  });

  it('has component schemas that compile as JSON Schema 2020-12 and accept what the node sends', () => {
    const doc = build();
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'https://elicense.example/openapi.json', components: doc['components'] });
    const problem = ajv.getSchema('https://elicense.example/openapi.json#/components/schemas/Problem')!;
    expect(problem({ type: 'https://elicense.example/problems/rate-limited', title: 'rate limited', status: 429, detail: 'x', code: 'RATE_LIMITED', retryAfterSeconds: 3 })).toBe(true);
    expect(problem({ type: 'x', title: 'x', status: 429, detail: 'x', code: 'NO_SUCH_CODE' })).toBe(false);
    const fullForm = ajv.getSchema('https://elicense.example/openapi.json#/components/schemas/FullForm')!;
    expect(fullForm({ format: 'elicense/full@1', license: {}, signature: 'a..b' })).toBe(false);
  });
});

describe('the whole route table in the document, with the schemas the doors validate with', () => {
  const doc = build(table);

  it('has every route of the node, each with the request schema it declares (path, query, header parameters and body)', () => {
    expect(table.length).toBeGreaterThan(40);
    for (const route of table) {
      const op = doc.paths[openApiPath(route.path)]?.[route.method] as { parameters?: Array<{ name: string; in: string; schema: JsonSchema }>; requestBody?: { content: Record<string, { schema: JsonSchema }> } } | undefined;
      expect([route.method, route.path, op !== undefined]).toEqual([route.method, route.path, true]);
      const input = route.input ?? {};
      const params = (op!.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect([route.path, params]).toEqual([route.path, [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1])]);
      for (const [where, part] of [['path', input.params], ['query', input.query], ['header', input.headers]] as const) {
        const properties = (part?.schema.json['properties'] ?? {}) as Record<string, JsonSchema>;
        for (const [name, schema] of Object.entries(properties)) {
          const documented = op!.parameters?.find((p) => p.in === where && p.name === name);
          const { description: _d, ...rest } = schema;
          expect([route.path, where, name, documented?.schema]).toEqual([route.path, where, name, rest]);
        }
      }
      if (input.body) expect([route.path, op!.requestBody?.content['application/json']?.schema]).toEqual([route.path, input.body.schema.json]);
      else expect([route.path, op!.requestBody]).toEqual([route.path, undefined]);
    }
  });

  it('declares the input of every route that reads a path parameter, a query or a JSON body', () => {
    for (const route of table) {
      if (route.path.includes(':')) expect([route.path, route.input?.params !== undefined]).toEqual([route.path, true]);
      if (route.method === 'post' || route.method === 'put') {
        // POSTs without a body: a sync round on demand; PUT of a type grant (a department's, a consuming department's) names everything in its path.
        // The seal PUT's body is the raw PNG (image/png), read by the route itself, not a JSON body the door validates.
        if (!['/v1/federation/sync', '/v1/departments/:uscc/types/:typeCode', '/v1/departments/:uscc/seal', '/v1/consumers/:region/:uscc/types/:typeCode'].includes(route.path)) expect([route.path, route.input?.body !== undefined]).toEqual([route.path, true]);
      }
    }
  });

  it('has examples that validate against their schemas: bodies ("Try it out" sends them) and parameters', () => {
    const compile = validatorOf(doc);
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const body = (op['requestBody'] as { content: Record<string, { schema: JsonSchema; example?: unknown }> } | undefined)?.content['application/json'];
        if (body?.example !== undefined) {
          const validate = compile(body.schema);
          expect([method, path, validate(body.example), validate.errors ?? null]).toEqual([method, path, true, null]);
          checked++;
        }
        for (const p of (op['parameters'] as Array<{ name: string; schema: JsonSchema & { examples?: unknown[] }; example?: unknown }> | undefined) ?? []) {
          for (const example of [...(p.example === undefined ? [] : [p.example]), ...(p.schema.examples ?? [])]) {
            // Parameters arrive as text; the door reads numbers from it as the schema says.
            expect([method, path, p.name, typeof example === 'string' || typeof example === 'number']).toEqual([method, path, p.name, true]);
            const validate = compile(p.schema);
            expect([method, path, p.name, validate(example)]).toEqual([method, path, p.name, true]);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('issues a real licence type in its example, with the sample data of the demo (no "string" placeholders)', () => {
    const example = (doc.paths['/v1/licenses']!['post']!['requestBody'] as { content: Record<string, { example: { typeCode: string; data: { holder: { name: string } } } }> }).content['application/json']!.example;
    expect(catalog.getType(example.typeCode)?.slug).toBe('business-licence');
    expect(example.data.holder.name).not.toBe('string');
    const examples = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).flatMap((op) => [
        (op['requestBody'] as { content: Record<string, { example?: unknown }> } | undefined)?.content['application/json']?.example,
        ...((op['parameters'] as Array<{ example?: unknown }> | undefined) ?? []).map((p) => p.example),
      ]),
    );
    expect(examples.filter((e) => e !== undefined).length).toBeGreaterThan(10);
    expect(JSON.stringify(examples)).not.toContain('"string"');
  });

  it('gives every reason the same limit (licence lifecycle, re-issue, department and key changes)', () => {
    const limits = new Set<unknown>();
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') {
        for (const [k, child] of Object.entries(v)) {
          if (k === 'reason' && child && typeof child === 'object' && (child as JsonSchema)['type'] === 'string') limits.add((child as JsonSchema)['maxLength']);
          visit(child);
        }
      }
    };
    visit(doc.paths);
    expect([...limits]).toEqual([MAX_REASON]);
  });

  it('describes the verification body without the door reading it (the verifier reads the licence, once)', () => {
    const verify = declared('post', '/v1/verifications');
    expect(verify.input?.body?.mode).toBe('describe');
    expect(doc.paths['/v1/verifications']!['post']!['requestBody']).toMatchObject({ content: { 'application/json': { schema: { oneOf: expect.any(Array) } } } });
  });
});
