import { ConsumerSide, type ConsumerCaller } from '../../../consumer/ConsumerSide';
import { checkUseTerms, type UseTerms } from '../../../consumer/consumerTerms';
import { ElicenseError } from '../../../errors';
import { HolderSide } from '../../../holder/HolderSide';
import { HolderForms } from '../../../holder/holderForms';
import { checkRequestText } from '../../../json/checkRequestText';
import type { ConsumerGrant } from '../../../store/ConsumerStore';
import type { NodeServices } from '../../NodeServices';
import { route, type Feature, type RequestContext, type RouteSpec } from '../../RouteSpec';
import { problem } from '../../openapi/responseDocs';
import { peerCaller } from '../federation/peerDepartmentFeature';
import { verifyReceivedFullForm } from '../federation/peerHolderForwarding';
import { presentedJsonBody } from '../verifications/readVerificationRequest';
import { verificationAnswerer } from '../verifications/verificationsFeature';
import { CONSUMER_GRANT_PARAMS, CONSUMER_QUERY, PEER_COPY_PARAMS, PEER_PARAMS, CONSUMER_TERMS, CONSUMER_VERIFY, COPY_QUERY, IDENTIFIER_PARAMS, STATISTICS_QUERY, TYPE_PARAMS, USAGE_QUERY, USE_STATISTICS } from './consumerSchemas';

const TAG = 'consumers';

const LOCAL_AUTH = 'A consuming department of this region: an API key of role consumer, bound to its USCC.';
const PEER_AUTH = 'A consuming department of a recognised peer region: a request its node signed (Elicense-Request-Signature, docs/adr/0006); 403 PEER_NOT_RECOGNISED otherwise.';

/** The cause and service item first (CAUSE_REQUIRED, CAUSE_INVALID, SERVICE_ITEM_REQUIRED), then the door's control-character check on the rest. */
const termsFirst = (body: unknown): void => {
  checkUseTerms(body);
  checkRequestText(body);
};
/** The same for a verification: the presented licence is the verifier's to judge as it is (as at POST /v1/verifications). */
const termsFirstVerbatimLicense = (body: unknown): void => {
  checkUseTerms(body);
  const { license: _license, ...rest } = body as Record<string, unknown>;
  checkRequestText(rest);
};

const termsOf = (body: { cause: string; serviceItem: { name: string; code?: string } }): UseTerms => ({
  cause: body.cause,
  serviceItem: { name: body.serviceItem.name.trim(), ...(body.serviceItem.code !== undefined ? { code: body.serviceItem.code } : {}) },
});

const grantView = (g: ConsumerGrant) => ({
  region: g.region,
  uscc: g.uscc,
  typeCode: g.typeCode,
  grantedAt: g.grantedAt.toISOString(),
  grantedBy: g.grantedBy,
  revokedAt: g.revokedAt?.toISOString() ?? null,
  state: g.revokedAt === null ? 'granted' : 'revoked',
});

/** The region admin's key, as the audit names it. */
function adminActor(ctx: RequestContext): string {
  if (!ctx.principal) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
  return ctx.principal.keyId;
}


/**
 * The sharing interface for consuming departments (用证部门, issue 16, docs/adr/0012 "Consumer departments"):
 * the same operations for a department of this region (API key of role consumer, /v1/consumer/…) and of a
 * recognised peer region (signed request, /v1/federation/consumer/…); the region admin's per-type
 * permissions (/v1/consumers/…); the statistics of uses for the operator dashboard.
 */
export function createConsumerFeature(services: NodeServices): Feature {
  const side = new ConsumerSide(services);
  const holders = new HolderSide(services);
  const forms = new HolderForms(services, holders.store);
  const verify = verificationAnswerer(services);

  const localCaller = async (ctx: RequestContext): Promise<ConsumerCaller> => {
    const p = ctx.principal;
    if (!p || p.role !== 'consumer' || p.uscc === null) throw new ElicenseError('FORBIDDEN', 'this route is for consuming departments (API key of role consumer)');
    return side.localCaller(p.uscc, p.keyId);
  };
  const peerConsumer = async (ctx: RequestContext): Promise<ConsumerCaller> => {
    const p = peerCaller(ctx);
    return { kind: 'peer_department', region: p.region, uscc: p.uscc, name: p.name, auditActor: `peer:${p.region}:${p.uscc}` };
  };

  /** The consumer operations, once, for either way of being known. */
  const operations = (prefix: string, mode: { permission: 'consumer:use' | 'federation:peer'; auth?: 'peer-request'; who: string; caller: (ctx: RequestContext) => Promise<ConsumerCaller> }): RouteSpec[] => {
    const common = { permission: mode.permission, ...(mode.auth ? { auth: mode.auth } : {}), tag: TAG };
    return [
      route({
        ...common,
        method: 'post',
        path: `${prefix}/licenses/query`,
        bodyText: 'per-record',
        summary:
          'Query licences with a stated cause (申请事由) and service item: by exactly one of identifier, holder {code, codeType?} (+ typeCode), or qr (the QR text). Answers the records and status ' +
          '(not the signed original) of licences of the types granted to the department; each use is logged in the holders\' usage log. Where the type needs the holder\'s consent, the use counts against ' +
          "the holder's open grant to the department. 422 CAUSE_REQUIRED / CAUSE_INVALID / SERVICE_ITEM_REQUIRED / CODE_INVALID / CONSUMER_QUERY_INVALID; 403 CONSUMER_TYPE_NOT_GRANTED / HOLDER_CONSENT_REQUIRED; " +
          `404 LICENSE_NOT_FOUND. ${mode.who}`,
        input: {
          body: {
            schema: CONSUMER_QUERY,
            before: termsFirst,
            example: { cause: '办理企业开户，核验营业执照', serviceItem: { name: '企业开户' }, holder: { code: '91350102EL0000017D' }, typeCode: '11100000MB0143028R001' },
          },
        },
        responses: {
          '200': { description: '{licenses: [{identifier, typeCode, typeName, status, department, issuedAt, updatedAt, replacedBy, license: <record>, grantId}], withheld: <count left out for want of the holder\'s consent>}' },
          '403': problem('CONSUMER_TYPE_NOT_GRANTED, HOLDER_CONSENT_REQUIRED'),
          '404': problem('LICENSE_NOT_FOUND'),
        },
        handler: async (_req, res, ctx, input) => {
          const b = input.body;
          const answer = await side.query(await mode.caller(ctx), termsOf(b), {
            ...(b.identifier !== undefined ? { identifier: b.identifier } : {}),
            ...(b.holder !== undefined ? { holder: { code: b.holder.code, ...(b.holder.codeType !== undefined ? { codeType: b.holder.codeType } : {}) } } : {}),
            ...(b.typeCode !== undefined ? { typeCode: b.typeCode } : {}),
            ...(b.qr !== undefined ? { qr: b.qr } : {}),
          });
          res.setHeader('Cache-Control', 'no-store');
          res.json(answer);
        },
      }),
      route({
        ...common,
        method: 'post',
        path: `${prefix}/verifications`,
        bodyText: 'verbatim',
        summary:
          'Verify a licence with a stated cause and service item: `license` is anything POST /v1/verifications takes as JSON (full form, {fullForm}, {qr}, an annotated copy); the answer is that ' +
          'route\'s (the node\'s one verification path), and the use of the licence it names is logged. 422 CAUSE_REQUIRED / CAUSE_INVALID / SERVICE_ITEM_REQUIRED; 403 CONSUMER_TYPE_NOT_GRANTED ' +
          `for a licence of a type not granted. ${mode.who}`,
        input: { body: { schema: CONSUMER_VERIFY, before: termsFirstVerbatimLicense } },
        responses: { '200': { description: 'The verification result, as POST /v1/verifications answers it' }, '403': problem('CONSUMER_TYPE_NOT_GRANTED') },
        handler: async (req, res, ctx, input) => {
          const caller = await mode.caller(ctx);
          // The node's one verification, as POST /v1/verifications answers the same JSON body.
          const result = await verify(presentedJsonBody(input.body.license), req);
          await side.recordVerification(caller, termsOf(input.body), result as { result: string; license?: Record<string, unknown> | null });
          res.setHeader('Cache-Control', 'no-store');
          res.json(result);
        },
      }),
      route({
        ...common,
        method: 'post',
        path: `${prefix}/licenses/:identifier/copies`,
        bodyText: 'per-record',
        summary:
          'Download a licence: always an annotated copy (加注件) made for the stated cause (its purpose, at most 64 characters) and this department (its user department), signed by the region, ' +
          "never the bare original. JSON: the copy document (201, Elicense-Copy-Id); ?format=pdf or Accept: application/pdf: its PDF (costs ELICENSE_UPLOAD_RATE_COST units). Logged in the holders' usage log. " +
          '422 CAUSE_REQUIRED / CAUSE_INVALID / SERVICE_ITEM_REQUIRED; 403 CONSUMER_TYPE_NOT_GRANTED / HOLDER_CONSENT_REQUIRED; 404 LICENSE_NOT_FOUND; 409 ANNOTATION_LIMIT_REACHED / LICENSE_SUSPENDED; ' +
          `410 LICENSE_REVOKED. ${mode.who}`,
        input: {
          params: { schema: IDENTIFIER_PARAMS },
          query: { schema: COPY_QUERY },
          body: { schema: CONSUMER_TERMS, before: termsFirst, example: { cause: '办理企业开户', serviceItem: { name: '企业开户' } } },
        },
        responses: {
          '201': { description: 'The annotated copy document ({annotatedCopy, original, signature}), or its PDF', headers: { 'Elicense-Copy-Id': 'The copy id' } },
          '403': problem('CONSUMER_TYPE_NOT_GRANTED, HOLDER_CONSENT_REQUIRED'),
          '404': problem('LICENSE_NOT_FOUND'),
          '409': problem('ANNOTATION_LIMIT_REACHED, LICENSE_SUSPENDED'),
          '410': problem('LICENSE_REVOKED'),
        },
        handler: async (req, res, ctx, input) => {
          const pdf = input.query.format === 'pdf' || (input.query.format === undefined && req.accepts(['application/json', 'application/pdf']) === 'application/pdf');
          // A PDF costs what an uploaded PDF does (its drawing is the expensive part); the JSON copy, the request's unit.
          if (pdf) await req.chargeRateLimit(services.config.uploadRateCost);
          const made = await side.copy(await mode.caller(ctx), termsOf(input.body), input.params.identifier);
          res.setHeader('Cache-Control', 'no-store');
          res.setHeader('Elicense-Copy-Id', made.copyId);
          if (pdf) {
            // The PDF of the copy just made, drawn as the holder's own copies are (src/holder/holderForms.ts).
            const now = services.clock.now();
            const drawn = await forms.pdf(
              { holderCode: made.holderCode, holderKind: 'person', providerId: 'consumer', actingRole: 'self', actorDigest: null, expiresAt: now, demo: false },
              made.copyId,
            );
            res.setHeader('Content-Disposition', `inline; filename="${made.copyId}.pdf"`);
            res.status(201).type('application/pdf').send(Buffer.from(drawn.pdf));
            return;
          }
          res.setHeader('Content-Disposition', `attachment; filename="${made.copyId}.elac.json"`);
          res.status(201).type('application/json').send(made.document);
        },
      }),
      route({
        ...common,
        method: 'get',
        path: `${prefix}/types/:typeCode/fields`,
        summary: `The face-field dictionary of a licence type (its newest standard): each field's labels (zh, en), JSON type, whether required and whether the QR carries it; and whether its use needs the holder's consent. 422 TYPE_UNKNOWN. ${mode.who}`,
        input: { params: { schema: TYPE_PARAMS } },
        responses: { '200': { description: '{typeCode, version, name: {zh, en}, consentRequired, fields: [{name, label: {zh, en}, type, format?, required, inQr}]}' }, '422': problem('TYPE_UNKNOWN') },
        handler: async (_req, res, ctx, input) => {
          await mode.caller(ctx);
          res.json(side.fields(input.params.typeCode));
        },
      }),
      route({
        ...common,
        method: 'get',
        path: `${prefix}/usage`,
        summary: `The calling department's own uses of licences (query, verification, copy, and holders' grants it exchanged or read), newest first, with cause and service item; never another department's, never holder codes. ${mode.who}`,
        input: { query: { schema: USAGE_QUERY } },
        handler: async (_req, res, ctx, input) => {
          res.json(await side.usage(await mode.caller(ctx), { limit: input.query.limit ?? 100, ...(input.query.before !== undefined ? { before: input.query.before } : {}) }));
        },
      }),
    ];
  };

  /**
   * This region's consuming department using licences of a peer region through its own node: the node checks
   * the cause, then signs the request as the department (docs/adr/0006) and sends it to the peer's
   * /v1/federation/consumer/… (base URL from this node's federation configuration). The peer judges the
   * permission, the holder's consent and logs the use in its holder's log; what comes back signed (a licence
   * presented for verification, an annotated copy) is verified here, with this node's own trust data.
   */
  const atPeer = async (ctx: RequestContext, peerRegion: string, operation: string, path: string, body: unknown): Promise<unknown> => {
    const caller = await localCaller(ctx);
    const answer = await services.peerClient.call({ uscc: caller.uscc, peerRegion, method: 'POST', path, body });
    await services.stores.audit.append(services.db, [
      { at: services.clock.now(), actor: caller.auditActor, action: 'consumer.peer', subject: `${caller.region}:${caller.uscc}`, details: { region: peerRegion, operation } },
    ]);
    return answer;
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const peerRoutes: RouteSpec[] = [
    route({
      method: 'post',
      path: '/v1/consumer/peers/:peerRegion/licenses/query',
      permission: 'consumer:use',
      tag: TAG,
      bodyText: 'per-record',
      summary:
        "Query licences of a peer region (its node answers, as POST /v1/federation/consumer/licenses/query) as this department: this node signs the request (docs/adr/0006). The peer's refusals come back " +
        `with its codes (CONSUMER_TYPE_NOT_GRANTED, HOLDER_CONSENT_REQUIRED, …); its refusal of this node's signature is 502 PEER_REFUSED; 403 PEER_NOT_RECOGNISED for a region that is no peer. ${LOCAL_AUTH}`,
      input: { params: { schema: PEER_PARAMS }, body: { schema: CONSUMER_QUERY, before: termsFirst } },
      responses: { '200': { description: "{region, licenses, withheld}: the peer's answer" }, '403': problem('PEER_NOT_RECOGNISED'), '502': problem('PEER_REFUSED, PEER_UNREACHABLE, PEER_ANSWER_INVALID') },
      handler: async (_req, res, ctx, input) => {
        const answer = await atPeer(ctx, input.params.peerRegion, 'query', '/v1/federation/consumer/licenses/query', input.body);
        if (!isObject(answer) || !Array.isArray(answer['licenses'])) throw new ElicenseError('PEER_ANSWER_INVALID', `region ${input.params.peerRegion}'s node answered the query with something that is not one`);
        res.setHeader('Cache-Control', 'no-store');
        res.json({ region: input.params.peerRegion, licenses: answer['licenses'], withheld: answer['withheld'] ?? 0 });
      },
    }),
    route({
      method: 'post',
      path: '/v1/consumer/peers/:peerRegion/verifications',
      permission: 'consumer:use',
      tag: TAG,
      bodyText: 'verbatim',
      summary:
        "Verify a licence of a peer region with a cause, the use logged at the peer (its holder sees it): the peer's node is told (POST /v1/federation/consumer/verifications) and its verdict comes back as " +
        `peerVerification {result, reasons}; the answer's verification is this node's own, with its own trust data. ${LOCAL_AUTH}`,
      input: { params: { schema: PEER_PARAMS }, body: { schema: CONSUMER_VERIFY, before: termsFirstVerbatimLicense } },
      responses: { '200': { description: '{region, verification: <this node\'s result>, peerVerification: {result, reasons}}' }, '403': problem('PEER_NOT_RECOGNISED'), '502': problem('PEER_REFUSED, PEER_UNREACHABLE') },
      handler: async (_req, res, ctx, input) => {
        const answer = await atPeer(ctx, input.params.peerRegion, 'verification', '/v1/federation/consumer/verifications', input.body);
        const peer = isObject(answer) ? { result: answer['result'] ?? null, reasons: answer['reasons'] ?? [] } : { result: null, reasons: [] };
        res.setHeader('Cache-Control', 'no-store');
        res.json({ region: input.params.peerRegion, verification: await verifyReceivedFullForm(services, input.body.license), peerVerification: peer });
      },
    }),
    route({
      method: 'post',
      path: '/v1/consumer/peers/:peerRegion/licenses/:identifier/copies',
      permission: 'consumer:use',
      tag: TAG,
      bodyText: 'per-record',
      summary:
        "Download a licence of a peer region: the annotated copy (加注件) its node makes for the cause and this department (POST /v1/federation/consumer/licenses/{identifier}/copies), verified here with " +
        `this node's own trust data: {region, copy, verification}. ${LOCAL_AUTH}`,
      input: { params: { schema: PEER_COPY_PARAMS }, body: { schema: CONSUMER_TERMS, before: termsFirst } },
      responses: { '201': { description: "{region, copy: <the annotated copy document>, verification: <this node's result>}" }, '403': problem('PEER_NOT_RECOGNISED'), '502': problem('PEER_REFUSED, PEER_UNREACHABLE') },
      handler: async (_req, res, ctx, input) => {
        const { peerRegion, identifier } = input.params;
        const copy = await atPeer(ctx, peerRegion, 'copy', `/v1/federation/consumer/licenses/${encodeURIComponent(identifier)}/copies`, input.body);
        if (!isObject(copy) || !isObject(copy['annotatedCopy'])) throw new ElicenseError('PEER_ANSWER_INVALID', `region ${peerRegion}'s node answered the download with something that is not an annotated copy`);
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json({ region: peerRegion, copy, verification: await verifyReceivedFullForm(services, copy) });
      },
    }),
  ];

  const admin: RouteSpec[] = [
    route({
      method: 'put',
      path: '/v1/consumers/:region/:uscc/types/:typeCode',
      permission: 'consumer:admin',
      tag: TAG,
      summary:
        'Grant a consuming department (of this region, or of a recognised peer region) the use of licences of one type. A department of this region must exist (404 DEPARTMENT_NOT_FOUND; it calls ' +
        'with an API key of role consumer); a region that is not this node\'s peer is 403 PEER_NOT_RECOGNISED. 422 CODE_INVALID for a USCC whose check character does not hold; 422 TYPE_UNKNOWN.',
      input: { params: { schema: CONSUMER_GRANT_PARAMS } },
      responses: { '200': { description: 'The permission: {region, uscc, typeCode, grantedAt, grantedBy, revokedAt: null, state: granted}' }, '403': problem('PEER_NOT_RECOGNISED'), '404': problem('DEPARTMENT_NOT_FOUND'), '422': problem('CODE_INVALID, TYPE_UNKNOWN') },
      handler: async (_req, res, ctx, input) => {
        const granted = await side.grantType(adminActor(ctx), input.params);
        res.json({ grant: grantView(granted) });
      },
    }),
    route({
      method: 'delete',
      path: '/v1/consumers/:region/:uscc/types/:typeCode',
      permission: 'consumer:admin',
      tag: TAG,
      summary: "Revoke a consuming department's use of a type: its next call for that type is 403 CONSUMER_TYPE_NOT_GRANTED. 404 CONSUMER_GRANT_NOT_FOUND when it has no such permission.",
      input: { params: { schema: CONSUMER_GRANT_PARAMS } },
      responses: { '200': { description: 'The permission, revoked' }, '404': problem('CONSUMER_GRANT_NOT_FOUND') },
      handler: async (_req, res, ctx, input) => {
        res.json({ grant: grantView(await side.revokeType(adminActor(ctx), input.params)) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/consumers',
      permission: 'consumer:read',
      tag: TAG,
      summary: "Consuming departments' permissions per type, revoked ones included (state granted / revoked).",
      responses: { '200': { description: '{grants: [{region, uscc, typeCode, grantedAt, grantedBy, revokedAt, state}]}' } },
      handler: async (_req, res) => {
        res.json({ grants: (await side.grants()).map(grantView) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/statistics/uses',
      permission: 'statistics:read',
      tag: TAG,
      summary: "Consuming departments' uses of licences (query, verification, copy) counted per type, per department and per day (UTC), for the operator dashboard; from/to bound the days counted.",
      input: { query: { schema: STATISTICS_QUERY } },
      responses: { '200': { description: '{byType: [{typeCode, count}], byConsumer: [{region, uscc, name, count}], byDay: [{day, count}]}', schema: USE_STATISTICS.json } },
      handler: async (_req, res, _ctx, input) => {
        const from = input.query.from !== undefined ? new Date(`${input.query.from}T00:00:00Z`) : undefined;
        const to = input.query.to !== undefined ? new Date(new Date(`${input.query.to}T00:00:00Z`).getTime() + 86_400_000) : undefined;
        if ((from && Number.isNaN(from.getTime())) || (to && Number.isNaN(to.getTime()))) throw new ElicenseError('INPUT_MALFORMED', 'from and to are days: YYYY-MM-DD');
        res.setHeader('Cache-Control', 'no-store');
        res.json(await side.statistics({ ...(from ? { from } : {}), ...(to ? { to } : {}) }));
      },
    }),
  ];

  return {
    name: 'consumers',
    routes: [
      ...operations('/v1/consumer', { permission: 'consumer:use', who: LOCAL_AUTH, caller: localCaller }),
      ...operations('/v1/federation/consumer', { permission: 'federation:peer', auth: 'peer-request', who: PEER_AUTH, caller: peerConsumer }),
      ...peerRoutes,
      ...admin,
    ],
  };
}
