import type { Request } from 'express';
import { ElicenseError } from '../../../errors';
import type { NodeServices } from '../../NodeServices';
import { canActFor, type Principal } from '../../../region/permissions';
import type { Feature, RequestContext, RouteSpec } from '../../RouteSpec';
import { DepartmentAdministration, type DepartmentStateAction } from '../../../region/departments/DepartmentAdministration';
import { DepartmentKeys } from '../../../region/departments/DepartmentKeys';
import { readAdmitDepartment, readIssueKey, readStateChange } from '../../../region/departments/departmentRequests';
import { departmentView, signingKeyView } from './departmentViews';

const TAG = 'departments';

/** Routes with a principal: never public, so the app has authenticated the caller. */
function caller(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
  return ctx.principal;
}

/** The {uscc} of the path, for a caller allowed to act for it (issuers: their own department only). */
function departmentParam(req: Request, ctx: RequestContext): string {
  const uscc = String(req.params['uscc']);
  if (!canActFor(caller(ctx), uscc)) throw new ElicenseError('FORBIDDEN', 'an issuer key acts for its own department only');
  return uscc;
}

/**
 * Department and key administration (region admin); reading departments and
 * their certificates (department:read, issuers only their own).
 */
export function createDepartmentsFeature(services: NodeServices): Feature {
  const admin = new DepartmentAdministration(services);
  const keys = new DepartmentKeys(services);
  const divisions = services.catalog.divisions;

  const stateRoute = (action: DepartmentStateAction, summary: string): RouteSpec => ({
    method: 'post',
    path: `/v1/departments/:uscc/${action}`,
    permission: 'department:admin',
    summary,
    tag: TAG,
    handler: async (req, res, ctx) => {
      const uscc = departmentParam(req, ctx);
      const { department, types } = await admin.changeState(caller(ctx).keyId, uscc, action, readStateChange(req.body).reason);
      res.json({ department: departmentView(department, types, divisions) });
    },
  });

  const routes: RouteSpec[] = [
    {
      method: 'post',
      path: '/v1/departments',
      permission: 'department:admin',
      summary: 'Admit a department (USCC, name, division code, initial licence type grants)',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const request = readAdmitDepartment(req.body, services.catalog);
        const { department, types, warnings } = await admin.admit(caller(ctx).keyId, request);
        res
          .status(201)
          .location(`/v1/departments/${department.uscc}`)
          .json({ department: departmentView(department, types, divisions), warnings });
      },
    },
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
    {
      method: 'get',
      path: '/v1/departments/:uscc',
      permission: 'department:read',
      summary: 'One department with its licence type grants',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const { department, types } = await admin.get(departmentParam(req, ctx));
        res.json({ department: departmentView(department, types, divisions) });
      },
    },
    {
      method: 'put',
      path: '/v1/departments/:uscc/types/:typeCode',
      permission: 'department:admin',
      summary: 'Allow the department to issue a licence type (idempotent)',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const uscc = departmentParam(req, ctx);
        const { department, types, changed } = await admin.grantType(caller(ctx).keyId, uscc, String(req.params['typeCode']));
        res.json({ department: departmentView(department, types, divisions), changed });
      },
    },
    {
      method: 'delete',
      path: '/v1/departments/:uscc/types/:typeCode',
      permission: 'department:admin',
      summary: 'Withdraw a licence type from the department (idempotent)',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const uscc = departmentParam(req, ctx);
        const { department, types, changed } = await admin.withdrawType(caller(ctx).keyId, uscc, String(req.params['typeCode']));
        res.json({ department: departmentView(department, types, divisions), changed });
      },
    },
    stateRoute('suspend', 'Suspend a department (active → suspended)'),
    stateRoute('withdraw', 'Withdraw a department (final)'),
    stateRoute('reinstate', 'Reinstate a suspended department'),
    {
      method: 'post',
      path: '/v1/departments/:uscc/keys',
      permission: 'department:admin',
      summary: 'Issue (or rotate) the department signing certificate: a node-held key, or the department key from a PKCS#10 CSR',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const uscc = departmentParam(req, ctx);
        const { key, retired } = await keys.issue(caller(ctx).keyId, uscc, readIssueKey(req.body));
        res
          .status(201)
          .location(`/v1/departments/${uscc}/keys`)
          .json({ key: signingKeyView(key), retired });
      },
    },
    {
      method: 'get',
      path: '/v1/departments/:uscc/keys',
      permission: 'department:read',
      summary: "The department's signing certificates, key ids and states (never private material)",
      tag: TAG,
      handler: async (req, res, ctx) => {
        const list = await keys.list(departmentParam(req, ctx));
        res.json({ keys: list.map(signingKeyView) });
      },
    },
    {
      method: 'post',
      path: '/v1/departments/:uscc/keys/:keyId/withdraw',
      permission: 'department:admin',
      summary: 'Withdraw a signing key (e.g. after a compromise)',
      tag: TAG,
      handler: async (req, res, ctx) => {
        const uscc = departmentParam(req, ctx);
        const key = await keys.withdraw(caller(ctx).keyId, uscc, String(req.params['keyId']), readStateChange(req.body).reason);
        res.json({ key: signingKeyView(key) });
      },
    },
  ];
  return { name: 'departments', routes };
}
