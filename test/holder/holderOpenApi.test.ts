/**
 * The holder's routes in the OpenAPI document (docs/adr/0012): every one declared, holder routes under the
 * holderToken scheme (not an API key), the departments' routes under the API key with grant:redeem, the
 * public ones without security and with an example body.
 */
import { buildOpenApiDocument, type RouteDeclaration } from '../../src/http/openapi/buildOpenApiDocument';
import { componentSchemas } from '../../src/http/openapi/componentSchemas';
import type { NodeServices } from '../../src/http/NodeServices';
import { nodeFeatures } from '../../src/http/routes/nodeFeatures';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';

const catalog = StandardsCatalog.load();
const table: RouteDeclaration[] = nodeFeatures({ catalog, config: { uploadRateCost: 10 } } as unknown as NodeServices, { isReady: () => true }).flatMap((f) => f.routes);
const doc = buildOpenApiDocument({ routes: table, version: '9.9.9', schemas: componentSchemas(catalog) });
const op = (method: string, path: string) => doc.paths[path]?.[method] as Record<string, unknown> | undefined;

describe('holder routes in the OpenAPI document', () => {
  const holderRoutes = [
    ['get', '/v1/holder/me'],
    ['get', '/v1/holder/licenses'],
    ['get', '/v1/holder/licenses/{identifier}'],
    ['get', '/v1/holder/licenses/{identifier}.pdf'],
    ['post', '/v1/holder/licenses/{identifier}/presentations'],
    ['post', '/v1/holder/licenses/{identifier}/annotated-copies'],
    ['get', '/v1/holder/annotated-copies'],
    ['get', '/v1/holder/annotated-copies/{copyId}'],
    ['get', '/v1/holder/annotated-copies/{copyId}.pdf'],
    ['post', '/v1/holder/grants'],
    ['get', '/v1/holder/grants'],
    ['delete', '/v1/holder/grants/{grantId}'],
    ['get', '/v1/holder/usage'],
  ] as const;

  it.each(holderRoutes)('%s %s: holder:self under the holderToken scheme, 401/403 described', (method, path) => {
    const o = op(method, path);
    expect(o).toBeDefined();
    expect(o!['x-permission']).toBe('holder:self');
    expect(o!['security']).toEqual([{ holderToken: [] }]);
    const responses = o!['responses'] as Record<string, { description: string }>;
    expect(responses['401']!.description).toContain('HOLDER_TOKEN_INVALID');
    expect(responses['403']!.description).toContain('API key');
  });

  it('departments exchange and read with an API key (grant:redeem); the public routes have working example bodies', () => {
    for (const [method, path] of [
      ['post', '/v1/grants/redeem'],
      ['get', '/v1/grants/{grantId}/licenses/{identifier}'],
      ['get', '/v1/grants/usage'],
    ] as const) {
      expect(op(method, path)!['security']).toEqual([{ apiKey: ['grant:redeem'] }, { apiKeyHeader: ['grant:redeem'] }]);
    }
    for (const path of ['/v1/holder/demo-sign-in', '/v1/presentations/redeem']) {
      const o = op('post', path)!;
      expect(o['security']).toEqual([]);
      expect((o['requestBody'] as { content: Record<string, { example?: unknown }> }).content['application/json']!.example).toBeDefined();
    }
    expect(op('get', '/v1/holder/demo-holders')!['security']).toEqual([]);
    expect((doc['components'] as { securitySchemes: Record<string, unknown> }).securitySchemes['holderToken']).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });
});
