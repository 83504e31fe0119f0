import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { DepartmentState } from '../../store/DepartmentStore';

/** What grant succession needs of the node's own standards catalogue: which code a replaced code's type has now. */
export type TypeSuccession = Pick<StandardsCatalog, 'successorOf'>;

/** One grant the migration adds: the department keeps `from` and is granted `to`, the code that replaced it. */
export interface TypeGrantChange {
  uscc: string;
  from: string;
  to: string;
}

/** A grant the migration leaves alone, and why (a withdrawn department gets no new grants). */
export interface SkippedTypeGrant extends TypeGrantChange {
  reason: 'DEPARTMENT_WITHDRAWN';
}

export interface TypeGrantMigrationPlan {
  changes: TypeGrantChange[];
  skipped: SkippedTypeGrant[];
}

/** Where a region admin grants the successors of replaced type codes (docs/adr/0011). */
export const TYPE_GRANT_MIGRATION_ROUTE = 'POST /v1/departments/type-grants/migrations';
export const TYPE_GRANT_MIGRATION_COMMAND = 'elicense node migrate-type-grants';

/**
 * The grants a type grant migration adds (docs/adr/0011): for every department holding a code whose type now
 * has another code (a placeholder replaced by the national code), the successor code, unless the department
 * holds it already. Old grants stay (licences signed under them keep verifying). Withdrawn departments are
 * listed as skipped. Pure: grants and states as read, the catalogue of this node. Ordered by USCC, then code.
 */
export function planTypeGrantMigration(
  grants: readonly { uscc: string; typeCode: string }[],
  stateOf: (uscc: string) => DepartmentState | undefined,
  standards: TypeSuccession,
): TypeGrantMigrationPlan {
  const held = new Map<string, Set<string>>();
  for (const g of grants) held.set(g.uscc, (held.get(g.uscc) ?? new Set()).add(g.typeCode));
  const plan: TypeGrantMigrationPlan = { changes: [], skipped: [] };
  for (const uscc of [...held.keys()].sort()) {
    const codes = held.get(uscc)!;
    const added = new Set<string>();
    for (const from of [...codes].sort()) {
      const to = standards.successorOf(from)?.typeCode;
      // Two replaced codes of one type (A → B → C) both lead to C: granted once, from the first.
      if (to === undefined || codes.has(to) || added.has(to)) continue;
      added.add(to);
      if (stateOf(uscc) === 'withdrawn') plan.skipped.push({ uscc, from, to, reason: 'DEPARTMENT_WITHDRAWN' });
      else plan.changes.push({ uscc, from, to });
    }
  }
  return plan;
}

/**
 * The code a department holds whose successor is `typeCode` (it holds the placeholder, not the national code
 * that replaced it), if any: issuance under `typeCode` is then refused with the migration as the way out.
 */
export function replacedGrantFor(heldTypeCodes: Iterable<string>, typeCode: string, standards: TypeSuccession): string | undefined {
  for (const held of heldTypeCodes) if (held !== typeCode && standards.successorOf(held)?.typeCode === typeCode) return held;
  return undefined;
}
