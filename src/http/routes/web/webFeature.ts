import type { Response } from 'express';
import { ElicenseError } from '../../../errors';
import type { NodeServices } from '../../NodeServices';
import { route, type Feature, type RouteSpec } from '../../RouteSpec';
import { object, string } from '../../schema/Schema';
import { WEB_PAGES, webAssets, webPagePath } from './webAssets';

const TAG = 'web';

/** Sends one file from disk with revalidation (ETag, Last-Modified, 304), settling when the response is done. */
function sendFile(res: Response, path: string, headers: Record<string, string>): Promise<void> {
  return new Promise((ok, fail) => {
    res.sendFile(path, { headers: { 'Cache-Control': 'no-cache', ...headers }, dotfiles: 'deny', etag: true, lastModified: true }, (err?: unknown) => {
      if (!err) return ok();
      const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
      if (res.headersSent) return ok();
      fail(status === 404 ? new ElicenseError('NOT_FOUND', 'no such file') : err);
    });
  });
}

/**
 * The node's web pages: the public verifier page, the issuer console and the
 * operator dashboard. Plain HTML, CSS and ES modules from web/, no build step;
 * the pages get their data from the JSON API with the API key the person
 * signed in with (kept in the tab's sessionStorage, sent as a bearer token).
 * The files themselves are public; only the verifier page may use the camera.
 */
export function createWebFeature(_services: NodeServices): Feature {
  const assets = webAssets();
  const page = (path: keyof typeof WEB_PAGES): RouteSpec => {
    const p = WEB_PAGES[path];
    return {
      method: 'get',
      path,
      permission: 'public',
      summary: p.summary,
      tag: TAG,
      handler: (_req, res) =>
        sendFile(res, webPagePath(p.file), {
          'Content-Type': 'text/html; charset=utf-8',
          'Permissions-Policy': p.camera ? 'camera=(self), microphone=(), geolocation=()' : 'camera=(), microphone=(), geolocation=()',
        }),
    };
  };
  return {
    name: 'web',
    routes: [
      {
        method: 'get',
        path: '/',
        permission: 'public',
        summary: 'The verifier page (redirect)',
        tag: TAG,
        handler: (_req, res) => {
          res.redirect(302, '/verify');
        },
      },
      page('/verify'),
      page('/console'),
      page('/operator'),
      page('/wallet'),
      route({
        method: 'get',
        path: '/web/:asset',
        permission: 'public',
        summary: 'Scripts, styles, translations and code lists of the web pages, and the QR decoder (WebAssembly)',
        tag: TAG,
        input: { params: { schema: object({ asset: string({ description: 'A file name of web/assets', examples: ['messages.json'] }) }, ['asset']) } },
        handler: (_req, res, _ctx, input) => {
          const asset = assets.get(input.params.asset);
          if (!asset) throw new ElicenseError('NOT_FOUND', `no web asset ${input.params.asset}`);
          return sendFile(res, asset.path, { 'Content-Type': asset.type });
        },
      }),
      {
        method: 'get',
        path: '/v1/whoami',
        permission: 'department:read',
        summary: 'The calling API key: role, department (issuers) and label, and demo: true on a node of a DEMO region; the web pages check a key with it at sign-in',
        tag: TAG,
        handler: async (_req, res, ctx) => {
          const p = ctx.principal;
          if (!p) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
          // The pages say DEMO beside the role for a demo region (from the region's record, not from the key's label).
          const demo = (await ctx.services.trust.current()).region?.mode === 'demo';
          res.setHeader('Cache-Control', 'no-store');
          res.json({ keyId: p.keyId, role: p.role, department: p.uscc, label: p.label, ...(demo ? { demo: true } : {}) });
        },
      },
    ],
  };
}
