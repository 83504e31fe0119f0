import { ElicenseError } from '../../../errors';
import type { NodeServices } from '../../NodeServices';
import { route, type Feature, type RequestContext } from '../../RouteSpec';
import { object, string } from '../../schema/Schema';
import type { PeerDepartmentCaller } from '../../../trust/peer/departmentRequestCheck';
import { HolderSide } from '../../../holder/HolderSide';
import type { GrantCaller } from '../../../holder/grants';
import { problem } from '../../openapi/responseDocs';
import { GRANT_LICENSE_PARAMS, REDEEM_GRANT } from '../holder/holderSchemas';

/** The department of a peer region a peer-request route was called by (the door made sure there is one). */
export function peerCaller(ctx: RequestContext): PeerDepartmentCaller {
  if (!ctx.peer) throw new ElicenseError('REQUEST_SIGNATURE_MISSING', 'this route is for departments of peer regions');
  return ctx.peer;
}

const CALLER = object(
  {
    region: string({ pattern: '^[1-9][0-9]{5}$', description: "The department's region (a configured peer of this node)" }),
    regionName: string({ description: "The region's name in its trust list" }),
    uscc: string({ description: "The department's unified social credit code" }),
    name: string({ description: "The department's name in its region's trust list" }),
    keyId: string({ description: 'Key id of the licence-signing certificate the request was signed with' }),
  },
  ['region', 'regionName', 'uscc', 'name', 'keyId'],
);

/**
 * Routes for departments of peer regions (docs/adr/0006, "Departments of peer regions"): authenticated by the
 * request their region's node signs with the department's licence-signing key, never by an API key.
 */
export function createPeerDepartmentFeature(services: NodeServices): Feature {
  const side = new HolderSide(services);
  /** The peer department as the holder's grant names it and the holder's log shows it. */
  const grantCaller = (ctx: RequestContext): GrantCaller => {
    const p = peerCaller(ctx);
    return { kind: 'peer_department', auditActor: `peer:${p.region}:${p.uscc}`, department: { region: p.region, uscc: p.uscc, name: p.name } };
  };
  return {
    name: 'federation-peer-departments',
    routes: [
      route({
        method: 'get',
        path: '/v1/federation/caller',
        permission: 'federation:peer',
        auth: 'peer-request',
        summary:
          'Who this node takes the caller to be: a department of a peer region, authenticated by the request its node signed (Elicense-Request-Signature) ' +
          "under the peer's pinned root and the peer's trust list as this node holds it. For operators of both regions to prove the link.",
        tag: 'federation',
        responses: { '200': { description: 'The authenticated department of the peer region', schema: CALLER.json } },
        handler: (_req, res, ctx) => {
          const caller = peerCaller(ctx);
          res.setHeader('Cache-Control', 'no-store');
          res.json({ region: caller.region, regionName: caller.regionName, uscc: caller.uscc, name: caller.name, keyId: caller.keyId });
        },
      }),
      route({
        method: 'post',
        path: '/v1/federation/grants/redeem',
        permission: 'federation:peer',
        auth: 'peer-request',
        summary:
          "A department of a peer region exchanges a holder's one-time authorisation code of this region (its node signs the request, docs/adr/0006): the grant must name that " +
          'department of that region. Answers as POST /v1/grants/redeem does; the calling node verifies the full forms itself. Logged in the holder\'s usage log as a peer department\'s exchange. ' +
          '404 GRANT_UNKNOWN, 403 GRANT_WRONG_DEPARTMENT, 410 GRANT_REVOKED / GRANT_EXPIRED / LICENSE_REVOKED, 409 GRANT_ALREADY_REDEEMED / GRANT_EXHAUSTED / LICENSE_SUSPENDED.',
        tag: 'federation',
        input: { body: { schema: REDEEM_GRANT, example: { code: '350000-0000-0000-0000-0000' } } },
        responses: {
          '200': { description: '{grantId, licenses: [full form…], licenseIdentifiers, expiresAt, readsLeft, serviceItem, caseNumber}' },
          '404': problem('GRANT_UNKNOWN'),
          '409': problem('GRANT_ALREADY_REDEEMED, GRANT_EXHAUSTED, LICENSE_SUSPENDED'),
          '410': problem('GRANT_REVOKED, GRANT_EXPIRED, LICENSE_REVOKED'),
        },
        handler: async (_req, res, ctx, input) => {
          const used = await side.redeemGrant(input.body.code, grantCaller(ctx));
          res.setHeader('Cache-Control', 'no-store');
          res.json({ ...used, licenses: used.licenses.map((f) => JSON.parse(f) as unknown) });
        },
      }),
      route({
        method: 'get',
        path: '/v1/federation/grants/:grantId/licenses/:identifier',
        permission: 'federation:peer',
        auth: 'peer-request',
        summary:
          'A later read of a granted licence by the peer department the grant names, within its expiry and reads (each read counts; Elicense-Reads-Left), as GET /v1/grants/{grantId}/licenses/{identifier}.',
        tag: 'federation',
        input: { params: { schema: GRANT_LICENSE_PARAMS } },
        responses: {
          '200': { description: 'The full form, as issued', headers: { 'Elicense-Reads-Left': 'Reads the grant still allows' } },
          '404': problem('GRANT_UNKNOWN, LICENSE_NOT_FOUND'),
          '409': problem('GRANT_EXHAUSTED, LICENSE_SUSPENDED'),
          '410': problem('GRANT_REVOKED, GRANT_EXPIRED, LICENSE_REVOKED'),
        },
        handler: async (_req, res, ctx, input) => {
          const read = await side.readGrantLicense(input.params.grantId, input.params.identifier, grantCaller(ctx));
          res.setHeader('Cache-Control', 'no-store');
          res.setHeader('Elicense-Reads-Left', String(read.readsLeft));
          res.setHeader('Elicense-Licence-Status', read.license.status);
          res.type('application/json').send(read.license.fullForm);
        },
      }),
    ],
  };
}
