import { ElicenseError } from '../../errors';
import type { DepartmentState } from '../../trust/TrustInputs';
import { replacedGrantFor, TYPE_GRANT_MIGRATION_COMMAND, TYPE_GRANT_MIGRATION_ROUTE, type TypeSuccession } from '../departments/typeGrantSuccession';

/** A department as the right to issue is judged: its state and the licence types it holds. */
export interface IssuerStanding {
  uscc: string;
  state: DepartmentState;
  /** The licence types granted to it. */
  typeCodes: ReadonlySet<string>;
  /** When each type was granted, where the caller knows it (a signed trust list does; the node's rows are read without it). */
  grantedAt?: ReadonlyMap<string, Date>;
}

export type IssueRight = { allowed: true } | { allowed: false; error: ElicenseError };

const ALLOWED: IssueRight = { allowed: true };

/**
 * The one place that decides whether a department may issue a licence of a
 * type at a time. Every issuance path asks it (the node's single and batch
 * issuance, the offline `elicense issue`) and none decides it otherwise. In
 * this order:
 *
 * - no such department: DEPARTMENT_NOT_FOUND;
 * - a department that is not active (suspended or withdrawn) issues nothing:
 *   DEPARTMENT_NOT_ACTIVE;
 * - a type it does not hold: ISSUER_NOT_AUTHORIZED_FOR_TYPE (when it holds the code `typeCode` replaced, per
 *   `standards`, the refusal says so and names the type grant migration: docs/adr/0011);
 * - a type granted only after `at` (the signing time): ISSUER_NOT_AUTHORIZED_FOR_TYPE,
 *   as verification would find it (a licence stamped before the grant is not authorised).
 *
 * Pure: the caller reads the department and the time and throws (or records) the refusal.
 */
export function issuerMayIssue(uscc: string, department: IssuerStanding | null | undefined, typeCode: string, at: Date, standards?: TypeSuccession): IssueRight {
  if (!department) return refused(new ElicenseError('DEPARTMENT_NOT_FOUND', `the issuing department ${uscc} is not one of the region's departments`, { uscc }));
  if (department.state !== 'active') {
    return refused(new ElicenseError('DEPARTMENT_NOT_ACTIVE', `the department is ${department.state} and may not issue licences`, { uscc, state: department.state }));
  }
  if (!department.typeCodes.has(typeCode)) {
    const replaced = standards === undefined ? undefined : replacedGrantFor(department.typeCodes, typeCode, standards);
    if (replaced !== undefined) return refused(replacedGrant(uscc, typeCode, replaced));
    return refused(new ElicenseError('ISSUER_NOT_AUTHORIZED_FOR_TYPE', `the department may not issue licence type ${typeCode}`, { uscc, typeCode }));
  }
  const grantedAt = department.grantedAt?.get(typeCode);
  if (grantedAt !== undefined && at < grantedAt) {
    return refused(
      new ElicenseError('ISSUER_NOT_AUTHORIZED_FOR_TYPE', `the department may issue licence type ${typeCode} only from ${grantedAt.toISOString()}`, {
        uscc,
        typeCode,
        grantedAt: grantedAt.toISOString(),
      }),
    );
  }
  return ALLOWED;
}

/** The department holds the code `typeCode` replaced: a new type identity needs its own grant, which the region admin's migration adds. */
function replacedGrant(uscc: string, typeCode: string, granted: string): ElicenseError {
  const message = `the department is granted ${granted}, which licence type ${typeCode} replaces; the region admin grants the successor by running the type grant migration (${TYPE_GRANT_MIGRATION_ROUTE} or ${TYPE_GRANT_MIGRATION_COMMAND})`;
  return new ElicenseError('ISSUER_NOT_AUTHORIZED_FOR_TYPE', `the department may not issue licence type ${typeCode}: ${message}`, {
    uscc,
    typeCode,
    grantedTypeCode: granted,
    errors: [{ path: '', code: 'TYPE_GRANT_HAS_SUCCESSOR', message, grantedTypeCode: granted, typeCode, migration: TYPE_GRANT_MIGRATION_ROUTE }],
  });
}

function refused(error: ElicenseError): IssueRight {
  return { allowed: false, error };
}
