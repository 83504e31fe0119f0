import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { ElicenseError } from '../../../errors';
import type { PublishedDocument } from '../../../store/FederationStore';
import type { NodeServices } from '../../NodeServices';
import { route, type Feature } from '../../RouteSpec';
import { array, constant, jsonSchema, object, string } from '../../schema/Schema';
import { joseDocument } from '../../openapi/responseDocs';
import { TRUST_BUNDLE_FORMAT } from '../../../region/federation/trustBundle';
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

/** An unknown list id is simply not there: 404, as it always was. */
const STATUS_LIST_PARAMS = object(
  { listId: string({ pattern: '^[0-9A-Za-z._-]{1,64}$', description: 'A status list id from the trust list (statusEntry.listId of a licence)' }) },
  ['listId'],
);

/** The bundle `elicense trust export` and GET /v1/federation/export write; each document is then checked as a sync checks it. */
const TRUST_BUNDLE = object(
  {
    format: constant(TRUST_BUNDLE_FORMAT),
    documents: array(jsonSchema<unknown>({ description: 'A signed document, {kind, docId, rootSha256, body}: each is refused or taken on its own (the report says which)' })),
  },
  ['format', 'documents'],
  { additionalProperties: true },
);

/**
 * Mutual recognition (docs/product.md section 4): the region's signed trust list,
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
        responses: joseDocument('Compact JWS (typ elicense-trust-list+jws); payload: standards/federation/trust-list-1.0.0.schema.json'),
        handler: async (req, res) => sendDocument(req, res, await fed.publisher.trustList()),
      },
      route({
        method: 'get',
        path: '/v1/federation/status-lists/:listId',
        permission: 'public',
        summary: 'One signed status list of this region (two bits per licence, zlib, base64url; standards/federation/status-list-1.0.0.schema.json). Regenerated when a licence on it changes status. 404 for an unknown list.',
        tag: 'federation',
        input: { params: { schema: STATUS_LIST_PARAMS, code: 'NOT_FOUND' } },
        responses: joseDocument('Compact JWS (typ elicense-status-list+jws); payload: standards/federation/status-list-1.0.0.schema.json'),
        handler: async (req, res, _ctx, input) => {
          const listId = input.params.listId;
          const doc = await fed.publisher.statusList(listId);
          if (!doc) throw new ElicenseError('NOT_FOUND', `no status list ${listId} in this region`);
          sendDocument(req, res, doc);
        },
      }),
      {
        method: 'get',
        path: '/v1/federation/agreement',
        permission: 'public',
        summary: "This region's signed recognition agreement: the peer types it accepts, mapped to local types, with conditions (standards/federation/recognition-agreement-1.0.0.schema.json).",
        tag: 'federation',
        responses: joseDocument('Compact JWS (typ elicense-recognition-agreement+jws); payload: standards/federation/recognition-agreement-1.0.0.schema.json'),
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
      route({
        method: 'post',
        path: '/v1/federation/import',
        permission: 'federation:admin',
        summary: "Import a trust bundle (elicense trust export) for air-gapped sites: every document goes through the same checks as a sync (pinned root, region, sequence). Body: the bundle JSON.",
        tag: 'federation',
        // A body that is no bundle has always been 400 INPUT_MALFORMED.
        input: { body: { schema: TRUST_BUNDLE, code: 'INPUT_MALFORMED', example: { format: TRUST_BUNDLE_FORMAT, documents: [] } } },
        handler: async (_req, res, ctx, input) => {
          const own = (await services.trust.current()).region?.code ?? null;
          const report = await importTrustBundle(services.db, services.stores.federation, fed.config, input.body, services.clock.now(), own);
          fed.invalidate();
          await services.stores.audit.append(services.db, [
            { at: services.clock.now(), actor: ctx.principal?.keyId ?? 'unknown', action: 'federation.import', subject: 'trust-bundle', details: { accepted: report.accepted, refused: report.refused.length } },
          ]);
          res.json(report);
        },
      }),
    ],
  };
}
