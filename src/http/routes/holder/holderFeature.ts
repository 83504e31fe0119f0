import { ElicenseError } from '../../../errors';
import { HolderForms } from '../../../holder/holderForms';
import { HolderSide } from '../../../holder/HolderSide';
import { HolderIdentity, DEMO_IDENTITY } from '../../../holder/identity/HolderIdentity';
import type { HolderPrincipal, Principal } from '../../../region/permissions';
import type { NodeServices } from '../../NodeServices';
import { problem } from '../../openapi/responseDocs';
import { route, type Feature, type RequestContext, type RouteSpec } from '../../RouteSpec';
import { forwardGrantIfForeign, forwardPresentationIfForeign } from '../federation/peerHolderForwarding';
import { LICENSE_PARAMS } from '../licenses/licenseSchemas';
import {
  COPY_PARAMS,
  CREATE_ANNOTATED_COPY,
  CREATE_GRANT,
  DEMO_HOLDER_EXAMPLE,
  DEMO_SIGN_IN,
  GRANT_LICENSE_PARAMS,
  GRANT_PARAMS,
  PRESENTATION_REQUEST,
  REDEEM_GRANT,
  REDEEM_PRESENTATION,
  USAGE_QUERY,
  REGION_USAGE_QUERY,
} from './holderSchemas';

const TAG = 'holder';
const GRANTS_TAG = 'grants';
const HOLDER_AUTH = 'Holder token: Authorization: Bearer <JWT> of a configured identity provider (the DEMO one in a demo region: POST /v1/holder/demo-sign-in); an API key is 403.';

function holderOf(ctx: RequestContext): HolderPrincipal {
  if (!ctx.holder) throw new ElicenseError('UNAUTHENTICATED', 'this route needs a holder token');
  return ctx.holder;
}

/** A department's API key: an issuer key names its department (region-wide keys act for none). */
function departmentOf(ctx: RequestContext): Principal & { uscc: string } {
  const p = ctx.principal;
  if (!p) throw new ElicenseError('UNAUTHENTICATED', 'this route needs a department API key');
  if (p.uscc === null) throw new ElicenseError('FORBIDDEN', 'only a department key (role issuer) acts for a department');
  return p as Principal & { uscc: string };
}

const holderView = (h: HolderPrincipal) => ({
  holderCode: h.holderCode,
  holderKind: h.holderKind,
  providerId: h.providerId,
  actingRole: h.actingRole,
  expiresAt: h.expiresAt.toISOString(),
  demo: h.demo,
});

/**
 * The holder's side (issue 15, docs/adr/0012): the signed-in holder's wallet, presentations (亮证), grants
 * (授权用证) and usage log; the public redemption of a presentation QR; the departments' exchange of an
 * authorisation code and their reads within the grant; the DEMO identity provider of a demo region.
 */
export function createHolderFeature(services: NodeServices): Feature {
  const identity = HolderIdentity.of(services);
  const side = new HolderSide(services);
  const forms = new HolderForms(services, side.store);
  const holderRoutes: RouteSpec[] = [
    route({
      method: 'get',
      path: '/v1/holder/me',
      permission: 'holder:self',
      auth: 'holder-token',
      summary: `Who is signed in: the holder's code and kind, the identity provider, the role of a person acting for a company, the token's expiry. ${HOLDER_AUTH}`,
      tag: TAG,
      handler: (_req, res, ctx) => {
        res.json({ holder: holderView(holderOf(ctx)) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/holder/licenses',
      permission: 'holder:self',
      auth: 'holder-token',
      summary: `Every licence naming the signed-in holder (as holder or co-holder), across all departments of the region, with its status. ${HOLDER_AUTH}`,
      tag: TAG,
      handler: async (_req, res, ctx) => {
        res.json({ items: await side.wallet(holderOf(ctx)) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/holder/licenses/:identifier.pdf',
      permission: 'holder:self',
      auth: 'holder-token',
      summary:
        'The PDF form of one of your licences: the stored form every reader gets (signed once by its department; ETag its SHA-256). 404 LICENSE_NOT_FOUND; ' +
        `410 LICENSE_REVOKED, 409 LICENSE_SUSPENDED (a printable licence must not outlive its status). ${HOLDER_AUTH}`,
      tag: TAG,
      input: { params: { schema: LICENSE_PARAMS } },
      responses: {
        '200': { description: 'The PDF', contentType: 'application/pdf', schema: { type: 'string', format: 'binary' } },
        '404': problem('LICENSE_NOT_FOUND'),
        '409': problem('LICENSE_SUSPENDED, LICENSE_SIGNER_UNAVAILABLE, DEPARTMENT_NOT_ACTIVE'),
        '410': problem('LICENSE_REVOKED'),
      },
      handler: async (req, res, ctx, input) => {
        await req.chargeRateLimit(services.config.uploadRateCost);
        const { pdf, sha256, status } = await forms.licensePdf(holderOf(ctx), input.params.identifier);
        res.setHeader('Cache-Control', 'private, no-cache');
        res.setHeader('ETag', `"${sha256}"`);
        res.setHeader('Elicense-Licence-Status', status);
        res.setHeader('Content-Disposition', `inline; filename="${input.params.identifier}.pdf"`);
        res.type('application/pdf').send(Buffer.from(pdf));
      },
    }),
    route({
      method: 'get',
      path: '/v1/holder/licenses/:identifier',
      permission: 'holder:self',
      auth: 'holder-token',
      summary: `One licence of the signed-in holder with its signed full form (fullForm, as issued). 404 LICENSE_NOT_FOUND when it does not name the holder. ${HOLDER_AUTH}`,
      tag: TAG,
      input: { params: { schema: LICENSE_PARAMS } },
      responses: { '200': { description: 'The licence as the wallet shows it, and its full form' }, '404': problem('LICENSE_NOT_FOUND') },
      handler: async (_req, res, ctx, input) => {
        res.json(await side.walletLicense(holderOf(ctx), input.params.identifier));
      },
    }),
    route({
      method: 'post',
      path: '/v1/holder/licenses/:identifier/presentations',
      permission: 'holder:self',
      auth: 'holder-token',
      summary:
        'Present a licence (亮证): a single-use, expiring pointer signed by the region (LP1:<compact JWS>, not the licence) for the presentation QR; a verifier redeems it once ' +
        `(POST /v1/presentations/redeem). Default ${300} s. 404 LICENSE_NOT_FOUND; 410 LICENSE_REVOKED, 409 LICENSE_SUSPENDED. ${HOLDER_AUTH}`,
      tag: TAG,
      input: { params: { schema: LICENSE_PARAMS }, body: { schema: PRESENTATION_REQUEST, optional: true, example: { ttlSeconds: 300 } } },
      responses: {
        '201': { description: '{presentation, presentationId, expiresAt, region, qrSvg}: qrSvg is the presentation QR as an SVG image' },
        '404': problem('LICENSE_NOT_FOUND'),
        '409': problem('LICENSE_SUSPENDED'),
        '410': problem('LICENSE_REVOKED'),
      },
      handler: async (_req, res, ctx, input) => {
        res.status(201).json(await side.createPresentation(holderOf(ctx), input.params.identifier, input.body.ttlSeconds));
      },
    }),
    route({
      method: 'post',
      path: '/v1/holder/licenses/:identifier/annotated-copies',
      permission: 'holder:self',
      auth: 'holder-token',
      summary:
        'Make an annotated copy (加注件) of a valid licence of yours for a stated purpose and user department: the signed document (*.elac.json: annotatedCopy, the original full form, ' +
        "the region's signature), verifiable at POST /v1/verifications until notAfter (ANNOTATION_EXPIRED after). Expiry: default and limit the type standard's annotatedCopyMaxDays (else 90 days); " +
        `at most annotatedCopyMaxActive unexpired copies per licence (409 ANNOTATION_LIMIT_REACHED). 422 ANNOTATION_TERMS_INVALID, CODE_INVALID; 404 LICENSE_NOT_FOUND; 410 LICENSE_REVOKED. ${HOLDER_AUTH}`,
      tag: TAG,
      input: {
        params: { schema: LICENSE_PARAMS },
        body: { schema: CREATE_ANNOTATED_COPY, example: { purpose: '办理企业开户', userDepartment: { name: '福州市市场监督管理局', code: '11350100DM00000133' } } },
      },
      responses: {
        '201': { description: 'The annotated copy document ({annotatedCopy, original, signature}); Location: its URL', headers: { Location: 'GET /v1/holder/annotated-copies/{copyId}' } },
        '404': problem('LICENSE_NOT_FOUND'),
        '409': problem('ANNOTATION_LIMIT_REACHED, LICENSE_SUSPENDED'),
        '410': problem('LICENSE_REVOKED'),
      },
      handler: async (_req, res, ctx, input) => {
        const b = input.body;
        const made = await side.createAnnotatedCopy(holderOf(ctx), input.params.identifier, {
          purpose: b.purpose,
          userDepartment: { name: b.userDepartment.name, code: b.userDepartment.code },
          ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
        });
        res.setHeader('Location', `/v1/holder/annotated-copies/${made.copyId}`);
        res.setHeader('Content-Disposition', `attachment; filename="${made.copyId}.elac.json"`);
        res.status(201).json(made.copy);
      },
    }),
    route({
      method: 'get',
      path: '/v1/holder/annotated-copies',
      permission: 'holder:self',
      auth: 'holder-token',
      summary: `Your annotated copies, newest first: copy id, licence, purpose, user department, made, valid until, state (active, expired, revoked). ${HOLDER_AUTH}`,
      tag: TAG,
      handler: async (_req, res, ctx) => {
        res.json({ copies: await side.annotatedCopies(holderOf(ctx)) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/holder/annotated-copies/:copyId.pdf',
      permission: 'holder:self',
      auth: 'holder-token',
      summary:
        "One of your annotated copies as a PDF: the original's face with the mark 仅供<用证部门><制作事由>使用，他用无效, the annotation box, the copy's own QR (EAC1:), the copy attached " +
        `(annotated-copy.elac.json), signed by the region. 404 ANNOTATED_COPY_NOT_FOUND; 410 LICENSE_REVOKED, 409 LICENSE_SUSPENDED (the original's forms are not given out). ${HOLDER_AUTH}`,
      tag: TAG,
      input: { params: { schema: COPY_PARAMS } },
      responses: {
        '200': { description: 'The PDF', contentType: 'application/pdf', schema: { type: 'string', format: 'binary' } },
        '404': problem('ANNOTATED_COPY_NOT_FOUND'),
        '409': problem('LICENSE_SUSPENDED'),
        '410': problem('LICENSE_REVOKED'),
      },
      handler: async (req, res, ctx, input) => {
        await req.chargeRateLimit(services.config.uploadRateCost);
        const { pdf, copyId } = await forms.pdf(holderOf(ctx), input.params.copyId);
        res.setHeader('Content-Disposition', `inline; filename="${copyId}.pdf"`);
        res.type('application/pdf').send(Buffer.from(pdf));
      },
    }),
    route({
      method: 'get',
      path: '/v1/holder/annotated-copies/:copyId',
      permission: 'holder:self',
      auth: 'holder-token',
      summary: `One of your annotated copies, the document as made. 404 ANNOTATED_COPY_NOT_FOUND when it is not yours. ${HOLDER_AUTH}`,
      tag: TAG,
      input: { params: { schema: COPY_PARAMS } },
      responses: { '200': { description: 'The annotated copy document' }, '404': problem('ANNOTATED_COPY_NOT_FOUND') },
      handler: async (_req, res, ctx, input) => {
        res.type('application/json').send(await side.annotatedCopyOf(holderOf(ctx), input.params.copyId));
      },
    }),
    route({
      method: 'post',
      path: '/v1/holder/grants',
      permission: 'holder:self',
      auth: 'holder-token',
      summary:
        'Grant a named department the use of one licence (licenseIdentifier) or of your licences of one type (typeCode) for one service item and case number, for a limited time and ' +
        'number of reads (授权用证). The answer carries the one-time authorisation code (shown only now; the node keeps its SHA-256) to give the department, typed or as a QR. ' +
        `422 GRANT_TERMS_INVALID, CODE_INVALID; 404 LICENSE_NOT_FOUND, DEPARTMENT_NOT_FOUND. ${HOLDER_AUTH}`,
      tag: TAG,
      input: {
        body: {
          schema: CREATE_GRANT,
          example: { typeCode: services.catalog.getTypeBySlug('driving-licence')?.typeCode ?? '11100000PH00000122901', department: { uscc: '11350100DM00000133' }, serviceItem: { name: '机动车驾驶证业务' }, caseNumber: 'FZ-2026-000123', maxUses: 3 },
        },
      },
      responses: {
        '201': { description: '{grantId, code, expiresAt, maxUses, qrSvg (the code as a QR, SVG), grant: {grantId, state, department, serviceItem, caseNumber, expiresAt, maxUses, uses, …}}' },
        '404': problem('LICENSE_NOT_FOUND, DEPARTMENT_NOT_FOUND'),
        '410': problem('LICENSE_REVOKED'),
        '409': problem('LICENSE_SUSPENDED'),
      },
      handler: async (_req, res, ctx, input) => {
        const b = input.body;
        if (b.expiresAt !== undefined && Number.isNaN(Date.parse(b.expiresAt))) throw new ElicenseError('GRANT_TERMS_INVALID', 'expiresAt is not a real date-time');
        res.status(201).json(
          await side.createGrant(holderOf(ctx), {
            ...(b.licenseIdentifier !== undefined ? { licenseIdentifier: b.licenseIdentifier } : {}),
            ...(b.typeCode !== undefined ? { typeCode: b.typeCode } : {}),
            department: { uscc: b.department.uscc, ...(b.department.region !== undefined ? { region: b.department.region } : {}) },
            serviceItem: { name: b.serviceItem.name, ...(b.serviceItem.code !== undefined ? { code: b.serviceItem.code } : {}) },
            caseNumber: b.caseNumber,
            ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
            ...(b.maxUses !== undefined ? { maxUses: b.maxUses } : {}),
          }),
        );
      },
    }),
    route({
      method: 'get',
      path: '/v1/holder/grants',
      permission: 'holder:self',
      auth: 'holder-token',
      summary: `The signed-in holder's grants, newest first, with their state (open, redeemed, exhausted, expired, revoked) and uses; never the codes. ${HOLDER_AUTH}`,
      tag: TAG,
      handler: async (_req, res, ctx) => {
        res.json({ grants: await side.grants(holderOf(ctx)) });
      },
    }),
    route({
      method: 'delete',
      path: '/v1/holder/grants/:grantId',
      permission: 'holder:self',
      auth: 'holder-token',
      summary: `Revoke a grant: the department's exchange and reads are refused from now on (GRANT_REVOKED). 404 GRANT_UNKNOWN (not yours), 410 GRANT_REVOKED (already). ${HOLDER_AUTH}`,
      tag: TAG,
      input: { params: { schema: GRANT_PARAMS } },
      responses: { '200': { description: '{grant}' }, '404': problem('GRANT_UNKNOWN'), '410': problem('GRANT_REVOKED') },
      handler: async (_req, res, ctx, input) => {
        res.json({ grant: await side.revokeGrant(holderOf(ctx), input.params.grantId) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/holder/usage',
      permission: 'holder:self',
      auth: 'holder-token',
      summary:
        "The signed-in holder's usage log: every presentation redeemed, exchange, read and annotated copy of a licence naming the holder (who, when, purpose, service item, case), newest first; " +
        `page with before=next. ${HOLDER_AUTH}`,
      tag: TAG,
      input: { query: { schema: USAGE_QUERY } },
      handler: async (_req, res, ctx, input) => {
        res.json(await side.usageOfHolder(holderOf(ctx), { limit: input.query.limit ?? 100, ...(input.query.before !== undefined ? { before: input.query.before } : {}) }));
      },
    }),
  ];
  const publicRoutes: RouteSpec[] = [
    route({
      method: 'get',
      path: '/v1/holder/demo-holders',
      permission: 'public',
      summary: 'DEMO: the demo holders one may sign in as (name, code, kind) — the holders of the sample data and of the region\'s licences. 404 FEATURE_DISABLED outside a demo region.',
      tag: TAG,
      responses: { '200': { description: '{demo: true, holders: [{name, code, kind}]}' }, '404': problem('FEATURE_DISABLED') },
      handler: async (_req, res) => {
        res.json({ demo: true, issuer: DEMO_IDENTITY.issuer, holders: await identity.demoHolders(side.store) });
      },
    }),
    route({
      method: 'post',
      path: '/v1/holder/demo-sign-in',
      permission: 'public',
      summary:
        'DEMO: sign in as a demo holder without any check (the DEMO identity provider; no legal effect): a holder token for the holder routes. A company is signed in through a fictional ' +
        'legal representative. 404 FEATURE_DISABLED outside a demo region, DEMO_HOLDER_UNKNOWN for a code no demo holder has.',
      tag: TAG,
      input: { body: { schema: DEMO_SIGN_IN, example: { holderCode: DEMO_HOLDER_EXAMPLE } } },
      responses: { '200': { description: '{token, expiresAt, demo: true, holder: {name, code, kind}}' }, '404': problem('FEATURE_DISABLED, DEMO_HOLDER_UNKNOWN') },
      handler: async (_req, res, _ctx, input) => {
        const signed = await identity.signDemoToken(side.store, input.body.holderCode);
        res.json({ token: signed.token, expiresAt: signed.expiresAt.toISOString(), demo: true, holder: signed.holder });
      },
    }),
    route({
      method: 'post',
      path: '/v1/presentations/redeem',
      permission: 'public',
      summary:
        "Resolve a holder's presentation QR of this region (LP1:…), once: the pointer's signature under the region's root, its expiry, then the licence's full form to verify as usual " +
        '(POST /v1/verifications). Logged in the holder\'s usage log. 422 PRESENTATION_INVALID, 404 PRESENTATION_UNKNOWN, 409 PRESENTATION_USED, 410 PRESENTATION_EXPIRED.',
      tag: TAG,
      input: { body: { schema: REDEEM_PRESENTATION, example: { presentation: 'LP1:eyJhbGciOiJFUzI1NiJ9.e30.AAAA' } } },
      responses: {
        '200': { description: '{fullForm, identifier, status, presentedAt, presentationId}' },
        '404': problem('PRESENTATION_UNKNOWN'),
        '409': problem('PRESENTATION_USED'),
        '410': problem('PRESENTATION_EXPIRED'),
        '422': problem('PRESENTATION_INVALID; TEXT_CONTROL_CHARACTER'),
      },
      handler: async (req, res, _ctx, input) => {
        await req.chargeRateLimit(4);
        // A presentation QR of another region is resolved at that region's node and verified here.
        const forwarded = await forwardPresentationIfForeign(services, input.body.presentation);
        if (forwarded) {
          res.json(forwarded);
          return;
        }
        const region = await side.region();
        const presented = await side.redeemPresentation(input.body.presentation, { kind: 'verifier', region: region.code, auditActor: 'public' });
        res.json({
          fullForm: JSON.parse(presented.fullForm) as unknown,
          identifier: presented.identifier,
          status: presented.status,
          presentedAt: presented.presentedAt.toISOString(),
          presentationId: presented.presentationId,
        });
      },
    }),
  ];
  const departmentRoutes: RouteSpec[] = [
    route({
      method: 'post',
      path: '/v1/grants/redeem',
      permission: 'grant:redeem',
      summary:
        "A department of this region exchanges a holder's one-time authorisation code with its API key for the granted licences' full forms (verify them as usual). " +
        'The exchange is the first read; later reads: GET /v1/grants/{grantId}/licenses/{identifier}. 404 GRANT_UNKNOWN, 403 GRANT_WRONG_DEPARTMENT, 410 GRANT_REVOKED / GRANT_EXPIRED / LICENSE_REVOKED, ' +
        '409 GRANT_ALREADY_REDEEMED / GRANT_EXHAUSTED / LICENSE_SUSPENDED.',
      tag: GRANTS_TAG,
      input: { body: { schema: REDEEM_GRANT, example: { code: '350000-0000-0000-0000-0000' } } },
      responses: {
        '200': { description: '{grantId, licenses: [full form…], licenseIdentifiers, expiresAt, readsLeft, serviceItem, caseNumber}' },
        '403': problem('GRANT_WRONG_DEPARTMENT; FORBIDDEN'),
        '404': problem('GRANT_UNKNOWN'),
        '409': problem('GRANT_ALREADY_REDEEMED, GRANT_EXHAUSTED, LICENSE_SUSPENDED'),
        '410': problem('GRANT_REVOKED, GRANT_EXPIRED, LICENSE_REVOKED'),
      },
      handler: async (_req, res, ctx, input) => {
        const caller = departmentOf(ctx);
        // A code of another region is exchanged at that region's node, signed as this department; what comes back is verified here.
        const forwarded = await forwardGrantIfForeign(services, input.body.code, caller);
        if (forwarded) {
          res.json(forwarded);
          return;
        }
        const used = await side.redeemGrant(input.body.code, await side.localDepartment(caller.uscc, caller.keyId));
        res.json({ ...used, licenses: used.licenses.map((f) => JSON.parse(f) as unknown) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/grants/:grantId/licenses/:identifier',
      permission: 'grant:redeem',
      summary:
        'A later read of a granted licence (its full form) by the department the grant names, within its expiry and reads (each read counts; Elicense-Reads-Left). Same refusals as the exchange; ' +
        '404 LICENSE_NOT_FOUND for a licence the grant does not cover.',
      tag: GRANTS_TAG,
      input: { params: { schema: GRANT_LICENSE_PARAMS } },
      responses: {
        '200': { description: 'The full form, as issued', headers: { 'Elicense-Reads-Left': 'Reads the grant still allows' } },
        '403': problem('GRANT_WRONG_DEPARTMENT; FORBIDDEN'),
        '404': problem('GRANT_UNKNOWN, LICENSE_NOT_FOUND'),
        '409': problem('GRANT_EXHAUSTED, LICENSE_SUSPENDED'),
        '410': problem('GRANT_REVOKED, GRANT_EXPIRED, LICENSE_REVOKED'),
      },
      handler: async (_req, res, ctx, input) => {
        const caller = departmentOf(ctx);
        const read = await side.readGrantLicense(input.params.grantId, input.params.identifier, await side.localDepartment(caller.uscc, caller.keyId));
        res.setHeader('Elicense-Reads-Left', String(read.readsLeft));
        res.setHeader('Elicense-Licence-Status', read.license.status);
        res.type('application/json').send(read.license.fullForm);
      },
    }),
    route({
      method: 'get',
      path: '/v1/grants/usage',
      permission: 'grant:redeem',
      summary: "The calling department's own uses of holders' licences (exchanges and reads: when, licence, service item, case, grant), newest first; no holder's personal data.",
      tag: GRANTS_TAG,
      input: { query: { schema: USAGE_QUERY } },
      handler: async (_req, res, ctx, input) => {
        const caller = departmentOf(ctx);
        res.json(await side.usageOfDepartment(caller.uscc, { limit: input.query.limit ?? 100, ...(input.query.before !== undefined ? { before: input.query.before } : {}) }));
      },
    }),
    route({
      method: 'get',
      path: '/v1/usage',
      permission: 'audit:read',
      summary:
        "Every use of a licence in the region (presentations, grant exchanges and reads, annotated copies, consuming departments' queries, verifications and copies): when, which licence, " +
        'who used it (kind, region, department), purpose or cause, service item, case; newest first, narrowed by ?region&uscc, ?kind or ?licenseIdentifier. No holder codes. Region admin and auditor.',
      tag: GRANTS_TAG,
      input: { query: { schema: REGION_USAGE_QUERY } },
      handler: async (_req, res, _ctx, input) => {
        const { before, limit, ...filter } = input.query;
        res.setHeader('Cache-Control', 'no-store');
        res.json(await side.usageOfRegion(filter, { limit: limit ?? 100, ...(before !== undefined ? { before } : {}) }));
      },
    }),
  ];
  return { name: 'holder', routes: [...holderRoutes, ...publicRoutes, ...departmentRoutes] };
}
