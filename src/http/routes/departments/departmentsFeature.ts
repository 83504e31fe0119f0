import { ElicenseError } from '../../../errors';
import type { NodeServices } from '../../NodeServices';
import { canActFor, type Principal } from '../../../region/permissions';
import { route, type Feature, type RequestContext, type RouteSpec } from '../../RouteSpec';
import { DepartmentAdministration, type DepartmentStateAction } from '../../../region/departments/DepartmentAdministration';
import { DepartmentKeys } from '../../../region/departments/DepartmentKeys';
import { checkAdmission, DEFAULT_KEY_VALIDITY_DAYS, type IssueKeyRequest } from '../../../region/departments/departmentRequests';
import { departmentView, signingKeyView } from './departmentViews';
import { sealRoutes } from './sealRoutes';
import { ADMIT_DEPARTMENT, admitDepartmentExample, DEPARTMENT_PARAMS, ISSUE_KEY, KEY_PARAMS, refuseEdDsaKeyRequest, STATE_CHANGE, TYPE_GRANT_MIGRATION, TYPE_GRANT_PARAMS } from './departmentSchemas';
import type { TypeOf } from '../../schema/Schema';

const TAG = 'departments';

/** Routes with a principal: never public, so the app has authenticated the caller. */
function caller(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
  return ctx.principal;
}

/** The {uscc} of the path, for a caller allowed to act for it (issuers: their own department only). */
function departmentParam(params: { uscc: string }, ctx: RequestContext): string {
  const uscc = params.uscc;
  if (!canActFor(caller(ctx), uscc)) throw new ElicenseError('FORBIDDEN', 'an issuer key acts for its own department only');
  return uscc;
}

/** A key request as the use case takes it: who holds the key, and the defaults filled in. */
function keyRequestOf(body: TypeOf<typeof ISSUE_KEY>): IssueKeyRequest {
  const common = { validityDays: body.validityDays ?? DEFAULT_KEY_VALIDITY_DAYS, caKeyId: body.caKeyId };
  return body.csr !== undefined ? { ...common, custody: 'department', csr: body.csr } : { ...common, custody: 'node', algorithm: body.algorithm ?? 'ES256' };
}

const STATE_INPUT = { params: { schema: DEPARTMENT_PARAMS }, body: { schema: STATE_CHANGE, example: { reason: '机构调整' } } };

/**
 * Department and key administration (region admin); reading departments and
 * their certificates (department:read, issuers only their own).
 */
export function createDepartmentsFeature(services: NodeServices): Feature {
  const admin = new DepartmentAdministration(services);
  const keys = new DepartmentKeys(services);
  const divisions = services.catalog.divisions;

  const stateRoute = (action: DepartmentStateAction, summary: string): RouteSpec =>
    route({
      method: 'post',
      path: `/v1/departments/:uscc/${action}`,
      permission: 'department:admin',
      summary,
      tag: TAG,
      input: STATE_INPUT,
      handler: async (_req, res, ctx, input) => {
        const uscc = departmentParam(input.params, ctx);
        const { department, types } = await admin.changeState(caller(ctx).keyId, uscc, action, input.body.reason.trim());
        res.json({ department: departmentView(department, types, divisions) });
      },
    });
  const businessLicense = services.catalog.getTypeBySlug('business-licence')?.typeCode ?? '';

  const routes: RouteSpec[] = [
    route({
      method: 'post',
      path: '/v1/departments',
      permission: 'department:admin',
      summary: 'Admit a department (USCC, name, division code, initial licence type grants)',
      tag: TAG,
      input: { body: { schema: ADMIT_DEPARTMENT, example: admitDepartmentExample(businessLicense) } },
      handler: async (_req, res, ctx, input) => {
        const request = checkAdmission({ ...input.body, types: input.body.types ?? [] }, services.catalog);
        const { department, types, warnings } = await admin.admit(caller(ctx).keyId, request);
        res
          .status(201)
          .location(`/v1/departments/${department.uscc}`)
          .json({ department: departmentView(department, types, divisions), warnings });
      },
    }),
    {
      method: 'get',
      path: '/v1/departments',
      permission: 'department:read',
      summary: "List departments (an issuer sees only its own)",
      tag: TAG,
      handler: async (_req, res, ctx) => {
        const principal = caller(ctx);
        const all = await admin.list();
        const visible = all.filter((d) => canActFor(principal, d.department.uscc));
        res.json({ departments: visible.map((d) => departmentView(d.department, d.types, divisions)) });
      },
    },
    route({
      method: 'get',
      path: '/v1/departments/:uscc',
      permission: 'department:read',
      summary: 'One department with its licence type grants',
      tag: TAG,
      input: { params: { schema: DEPARTMENT_PARAMS } },
      handler: async (_req, res, ctx, input) => {
        const { department, types } = await admin.get(departmentParam(input.params, ctx));
        res.json({ department: departmentView(department, types, divisions) });
      },
    }),
    route({
      method: 'put',
      path: '/v1/departments/:uscc/types/:typeCode',
      permission: 'department:admin',
      summary: 'Allow the department to issue a licence type (idempotent)',
      tag: TAG,
      input: { params: { schema: TYPE_GRANT_PARAMS } },
      handler: async (_req, res, ctx, input) => {
        const uscc = departmentParam(input.params, ctx);
        const { department, types, changed, warnings } = await admin.grantType(caller(ctx).keyId, uscc, input.params.typeCode);
        res.json({ department: departmentView(department, types, divisions), changed, warnings });
      },
    }),
    route({
      method: 'delete',
      path: '/v1/departments/:uscc/types/:typeCode',
      permission: 'department:admin',
      summary: 'Withdraw a licence type from the department (idempotent)',
      tag: TAG,
      input: { params: { schema: TYPE_GRANT_PARAMS } },
      handler: async (_req, res, ctx, input) => {
        const uscc = departmentParam(input.params, ctx);
        const { department, types, changed } = await admin.withdrawType(caller(ctx).keyId, uscc, input.params.typeCode);
        res.json({ department: departmentView(department, types, divisions), changed });
      },
    }),
    route({
      method: 'post',
      path: '/v1/departments/type-grants/migrations',
      permission: 'department:admin',
      summary:
        'Grant every department the successor of each replaced type code it holds (a placeholder replaced by the national code), keeping the old grant; one audit entry per department; a second run changes nothing',
      tag: TAG,
      input: { body: { schema: TYPE_GRANT_MIGRATION, optional: true, example: { dryRun: true } } },
      handler: async (_req, res, ctx, input) => {
        const outcome = await admin.migrateTypeGrants(caller(ctx).keyId, input.body.dryRun ?? false);
        res.json(outcome);
      },
    }),
    stateRoute('suspend', 'Suspend a department (active → suspended)'),
    stateRoute('withdraw', 'Withdraw a department (final)'),
    stateRoute('reinstate', 'Reinstate a suspended department'),
    route({
      method: 'post',
      path: '/v1/departments/:uscc/keys',
      permission: 'department:admin',
      summary: 'Issue (or rotate) the department signing certificate: a node-held key, or the department key from a PKCS#10 CSR',
      tag: TAG,
      input: { params: { schema: DEPARTMENT_PARAMS }, body: { schema: ISSUE_KEY, optional: true, example: { algorithm: 'ES256', validityDays: 365 }, before: refuseEdDsaKeyRequest } },
      handler: async (_req, res, ctx, input) => {
        const uscc = departmentParam(input.params, ctx);
        const { key, retired } = await keys.issue(caller(ctx).keyId, uscc, keyRequestOf(input.body));
        res
          .status(201)
          .location(`/v1/departments/${uscc}/keys`)
          .json({ key: signingKeyView(key), retired });
      },
    }),
    route({
      method: 'get',
      path: '/v1/departments/:uscc/keys',
      permission: 'department:read',
      summary: "The department's signing certificates, key ids and states (never private material)",
      tag: TAG,
      input: { params: { schema: DEPARTMENT_PARAMS } },
      handler: async (_req, res, ctx, input) => {
        const list = await keys.list(departmentParam(input.params, ctx));
        res.json({ keys: list.map(signingKeyView) });
      },
    }),
    route({
      method: 'post',
      path: '/v1/departments/:uscc/keys/:keyId/withdraw',
      permission: 'department:admin',
      summary: 'Withdraw a signing key (e.g. after a compromise)',
      tag: TAG,
      input: { params: { schema: KEY_PARAMS }, body: { schema: STATE_CHANGE, example: { reason: '密钥疑似泄露' } } },
      handler: async (_req, res, ctx, input) => {
        const uscc = departmentParam(input.params, ctx);
        const key = await keys.withdraw(caller(ctx).keyId, uscc, input.params.keyId, input.body.reason.trim());
        res.json({ key: signingKeyView(key) });
      },
    }),
    ...sealRoutes(services),
  ];
  return { name: 'departments', routes };
}
