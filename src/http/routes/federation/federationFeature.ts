import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { ElicenseError } from '../../../errors';
import type { PublishedDocument } from '../../../store/FederationStore';
import type { NodeServices } from '../../NodeServices';
import type { Feature } from '../../RouteSpec';
import { exportTrustBundle, importTrustBundle } from '../../../region/federation/trustBundle';

const JOSE = 'application/jose';

function sendDocument(req: Request, res: Response, doc: PublishedDocument): void {
  const etag = `"${createHash('sha256').update(doc.body).digest('base64url').slice(0, 32)}"`;
  res.setHeader('ETag', etag);
  // Peers revalidate every time they sync (304 costs a few bytes); intermediaries may keep it briefly.
  res.setHeader('Cache-Control', 'public, max-age=60, must-revalidate');
  res.setHeader('Elicense-Sequence', String(doc.sequence));
  const match = req.get('if-none-match');
  if (match !== undefined && match.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    res.status(304).end();
    return;
  }
  res.status(200).type(JOSE).send(doc.body);
}

/**
 * Mutual recognition (product.md section 4): the region's signed trust list,
 * status lists and recognition agreement for peers (public, cacheable with
 * ETag / If-None-Match), and for operators the peers' sync state, a sync
 * round on demand and the import of a trust bundle for air-gapped sites.
 */
export function createFederationFeature(services: NodeServices): Feature {
  const fed = services.federation;
  return {
    name: 'federation',
    routes: [
      {
        method: 'get',
        path: '/v1/federation/trust-list',
        permission: 'public',
        summary: "This region's signed trust list (compact JWS, typ elicense-trust-list+jws, x5c up to the region root; standards/federation/trust-list-1.0.0.schema.json). Strong ETag; 304 on If-None-Match.",
        tag: 'federation',
        handler: async (req, res) => sendDocument(req, res, await fed.publisher.trustList()),
      },
      {
        method: 'get',
        path: '/v1/federation/status-lists/:listId',
        permission: 'public',
        summary: 'One signed status list of this region (two bits per licence, zlib, base64url; standards/federation/status-list-1.0.0.schema.json). Regenerated when a licence on it changes status. 404 for an unknown list.',
        tag: 'federation',
        handler: async (req, res) => {
          const listId = String(req.params['listId']);
          if (!/^[0-9A-Za-z._-]{1,64}$/.test(listId)) throw new ElicenseError('NOT_FOUND', 'no such status list');
          const doc = await fed.publisher.statusList(listId);
          if (!doc) throw new ElicenseError('NOT_FOUND', `no status list ${listId} in this region`);
          sendDocument(req, res, doc);
        },
      },
      {
        method: 'get',
        path: '/v1/federation/agreement',
        permission: 'public',
        summary: "This region's signed recognition agreement: the peer types it accepts, mapped to local types, with conditions (standards/federation/recognition-agreement-1.0.0.schema.json).",
        tag: 'federation',
        handler: async (req, res) => sendDocument(req, res, await fed.publisher.agreement()),
      },
      {
        method: 'get',
        path: '/v1/federation/peers',
        permission: 'federation:read',
        summary: "The configured peers: pinned root, region, state (ok / stale / failing / never_synced), last attempt and success, last error, and the age of each accepted document.",
        tag: 'federation',
        handler: async (_req, res) => {
          res.setHeader('Cache-Control', 'no-store');
          res.json({ peers: await fed.peerViews() });
        },
      },
      {
        method: 'post',
        path: '/v1/federation/sync',
        permission: 'federation:admin',
        summary: 'Run one sync round now for every peer (ignores back-off); answers what each peer did.',
        tag: 'federation',
        handler: async (_req, res, ctx) => {
          const reports = await fed.syncNow({ force: true });
          await services.stores.audit.append(services.db, [
            { at: services.clock.now(), actor: ctx.principal?.keyId ?? 'unknown', action: 'federation.sync', subject: 'peers', details: { peers: reports.map((r) => ({ peer: r.peer, ok: r.ok, accepted: r.accepted })) } },
          ]);
          res.json({ peers: reports });
        },
      },
      {
        method: 'get',
        path: '/v1/federation/export',
        permission: 'federation:read',
        summary: "A trust bundle for air-gapped sites: this region's current signed documents and the last good copies of every peer's (each document keeps its own region's signature).",
        tag: 'federation',
        handler: async (_req, res) => {
          res.setHeader('Cache-Control', 'no-store');
          res.json(await exportTrustBundle(services.db, services.stores.federation, fed.publisher, services.clock.now()));
        },
      },
      {
        method: 'post',
        path: '/v1/federation/import',
        permission: 'federation:admin',
        summary: "Import a trust bundle (elicense trust export) for air-gapped sites: every document goes through the same checks as a sync (pinned root, region, sequence). Body: the bundle JSON.",
        tag: 'federation',
        handler: async (req, res, ctx) => {
          const own = (await services.trust.current()).region?.code ?? null;
          const report = await importTrustBundle(services.db, services.stores.federation, fed.config, req.body as unknown, services.clock.now(), own);
          fed.invalidate();
          await services.stores.audit.append(services.db, [
            { at: services.clock.now(), actor: ctx.principal?.keyId ?? 'unknown', action: 'federation.import', subject: 'trust-bundle', details: { accepted: report.accepted, refused: report.refused.length } },
          ]);
          res.json(report);
        },
      },
    ],
  };
}
