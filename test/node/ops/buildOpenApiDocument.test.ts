import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument, type RouteDeclaration } from '../../../src/http/openapi/buildOpenApiDocument';
import { componentSchemas } from '../../../src/http/openapi/componentSchemas';
import { ROUTE_DOCS } from '../../../src/http/openapi/routeDocs';
import { StandardsCatalog } from '../../../src/standards/StandardsCatalog';

const catalog = StandardsCatalog.load();

const routes: RouteDeclaration[] = [
  { method: 'get', path: '/healthz', permission: 'public', summary: 'alive', tag: 'ops' },
  { method: 'post', path: '/v1/verifications', permission: 'public', summary: 'verify', tag: 'verifications' },
  { method: 'get', path: '/v1/licenses/:identifier', permission: 'licence:read', summary: 'get one', tag: 'licences' },
  { method: 'post', path: '/v1/licenses/:identifier/revoke', permission: 'licence:lifecycle', summary: 'revoke', tag: 'licences' },
];

function build() {
  return buildOpenApiDocument({ routes, version: '9.9.9', schemas: componentSchemas(catalog), docs: ROUTE_DOCS });
}

describe('OpenAPI document generated from the route table', () => {
  it('is an OpenAPI 3.1 document with every route, in OpenAPI path syntax', () => {
    const doc = build();
    expect(doc['openapi']).toBe('3.1.0');
    expect(doc['info']).toMatchObject({ version: '9.9.9' });
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/v1/licenses/{identifier}', '/v1/licenses/{identifier}/revoke', '/v1/verifications']);
    const ids = routes.map((r) => doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]![r.method]!['operationId']);
    expect(new Set(ids).size).toBe(routes.length);
  });

  it('documents every media type POST /v1/verifications takes (JSON, image, PDF, QR text)', () => {
    const content = (build().paths['/v1/verifications']!['post']!['requestBody'] as { content: Record<string, unknown> }).content;
    expect(Object.keys(content).sort()).toEqual(['application/json', 'application/octet-stream', 'application/pdf', 'image/jpeg', 'image/png', 'text/plain']);
  });

  it('documents the honest-issuance fields: acknowledgeWarnings and replaces in the request, the refusals, and the response headers', () => {
    const doc = buildOpenApiDocument({
      routes: [...routes, { method: 'post', path: '/v1/licenses', permission: 'licence:issue', summary: 'issue', tag: 'licences' }],
      version: '9.9.9',
      schemas: componentSchemas(catalog),
      docs: ROUTE_DOCS,
    });
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
    expect(get['summary']).toBe('get one');
    expect((doc['tags'] as Array<{ name: string }>).map((t) => t.name)).toEqual(['licences', 'ops', 'verifications']);
  });

  it('takes the licence record schema from the standards envelope and names every problem code', () => {
    const schemas = componentSchemas(catalog);
    const { $schema: _d, $id: _i, ...envelope } = catalog.envelopeSchema;
    expect(schemas['LicenceRecord']).toEqual(envelope);
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
