import { ElicenseError } from '../../../errors';
import type { ApiKey } from '../../../store/ApiKeyStore';
import type { NodeServices } from '../../NodeServices';
import { route, type Feature, type RequestContext } from '../../RouteSpec';
import { ApiKeyAdministration } from '../../../region/apiKeys/ApiKeyAdministration';
import { API_KEY_PARAMS, CREATE_API_KEY } from './apiKeySchemas';
import { DEMO_DEPARTMENT } from '../departments/departmentSchemas';

const TAG = 'apiKeys';

function actor(ctx: RequestContext): string {
  if (!ctx.principal) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
  return ctx.principal.keyId;
}

/** An API key as listed: never the secret (the node does not have it) nor its hash. */
function apiKeyView(k: ApiKey) {
  return { keyId: k.keyId, role: k.role, uscc: k.uscc, label: k.label, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null };
}

/** API key administration (apikey:admin). */
export function createApiKeysFeature(services: NodeServices): Feature {
  const admin = new ApiKeyAdministration(services);
  return {
    name: 'apiKeys',
    routes: [
      route({
        method: 'post',
        path: '/v1/api-keys',
        permission: 'apikey:admin',
        summary: 'Create an API key for a role; the secret is in this response only',
        tag: TAG,
        input: { body: { schema: CREATE_API_KEY, example: { role: 'issuer', uscc: DEMO_DEPARTMENT, label: '窗口 3 号机' } } },
        handler: async (_req, res, ctx, input) => {
          const { role, uscc, label } = input.body;
          const { apiKey, secret } = await admin.create(actor(ctx), { role, uscc: uscc ?? null, label: label.trim() });
          res.setHeader('Cache-Control', 'no-store');
          res.status(201).json({ apiKey: apiKeyView(apiKey), secret });
        },
      }),
      {
        method: 'get',
        path: '/v1/api-keys',
        permission: 'apikey:admin',
        summary: 'List API keys (no secrets)',
        tag: TAG,
        handler: async (_req, res) => {
          res.json({ apiKeys: (await admin.list()).map(apiKeyView) });
        },
      },
      route({
        method: 'delete',
        path: '/v1/api-keys/:keyId',
        permission: 'apikey:admin',
        summary: 'Revoke an API key (refused at once by every node process)',
        tag: TAG,
        input: { params: { schema: API_KEY_PARAMS } },
        handler: async (_req, res, ctx, input) => {
          const revoked = await admin.revoke(actor(ctx), input.params.keyId);
          res.json({ apiKey: apiKeyView(revoked) });
        },
      }),
    ],
  };
}
