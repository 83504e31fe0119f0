import type { CodeWarning } from '../../codes/codeCheck';
import { ElicenseError } from '../../errors';
import type { Clock } from '../../clock';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { AuditLog } from '../../store/AuditLog';
import type { Department, DepartmentState, DepartmentStore } from '../../store/DepartmentStore';
import type { Database, Queryable } from '../../store/Database';
import { checkTypeCode, replacedTypeWarnings, type AdmitDepartmentRequest } from './departmentRequests';
import { planTypeGrantMigration, type TypeGrantMigrationPlan } from './typeGrantSuccession';

export type DepartmentStateAction = 'suspend' | 'withdraw' | 'reinstate';

const TARGET: Record<DepartmentStateAction, DepartmentState> = { suspend: 'suspended', withdraw: 'withdrawn', reinstate: 'active' };

/** What department administration uses (a node's services fit it). */
export interface DepartmentAdministrationDeps {
  db: Database;
  clock: Clock;
  /** Type codes are checked against the catalogue before they are granted or withdrawn. */
  catalog: StandardsCatalog;
  stores: { departments: DepartmentStore; audit: AuditLog };
}

export interface DepartmentWithTypes {
  department: Department;
  types: string[];
}

/** A type grant migration's outcome: the grants added (or, in a dry run, that would be), and those left alone. */
export interface TypeGrantMigration extends TypeGrantMigrationPlan {
  dryRun: boolean;
}

/**
 * The region operator's use cases on departments: admit, grant and withdraw
 * licence types, suspend / withdraw / reinstate. Each change and its audit
 * entry commit in one transaction, so the log never misses or invents one.
 */
export class DepartmentAdministration {
  constructor(private readonly s: DepartmentAdministrationDeps) {}

  /** A replaced type code is admitted as granted (it keeps working for what it names), with a TYPE_CODE_REPLACED warning in `req.warnings`. */
  async admit(actor: string, req: AdmitDepartmentRequest): Promise<DepartmentWithTypes & { warnings: CodeWarning[] }> {
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const department = await this.s.stores.departments.create(tx, { uscc: req.uscc, name: req.name, divisionCode: req.divisionCode, at });
      for (const t of req.types) await this.s.stores.departments.grantType(tx, req.uscc, t, at);
      await this.s.stores.audit.append(tx, [
        {
          actor,
          action: 'department.admit',
          subject: req.uscc,
          details: { name: req.name, divisionCode: req.divisionCode, types: req.types, warnings: req.warnings.map((w) => w.code) },
          at,
        },
      ]);
      return { department, types: await this.s.stores.departments.typesOf(tx, req.uscc), warnings: req.warnings };
    });
  }

  async list(): Promise<DepartmentWithTypes[]> {
    const departments = await this.s.stores.departments.list(this.s.db);
    const out: DepartmentWithTypes[] = [];
    for (const department of departments) out.push({ department, types: await this.s.stores.departments.typesOf(this.s.db, department.uscc) });
    return out;
  }

  async get(uscc: string): Promise<DepartmentWithTypes> {
    return this.withTypes(this.s.db, uscc);
  }

  /**
   * Idempotent: granting a type the department holds changes (and audits) nothing. A withdrawn department gets no new grants.
   * A replaced type code is still granted (it keeps working for what it names) with a TYPE_CODE_REPLACED warning.
   */
  async grantType(actor: string, uscc: string, typeCode: string): Promise<DepartmentWithTypes & { changed: boolean; warnings: CodeWarning[] }> {
    checkTypeCode(typeCode, this.s.catalog);
    const warnings = replacedTypeWarnings([typeCode], this.s.catalog);
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const { department, types } = await this.withTypes(tx, uscc);
      if (types.includes(typeCode)) return { department, types, changed: false, warnings };
      if (department.state === 'withdrawn') {
        throw new ElicenseError('DEPARTMENT_STATE_CONFLICT', 'a withdrawn department cannot be granted licence types', { uscc, state: department.state });
      }
      await this.s.stores.departments.grantType(tx, uscc, typeCode, at);
      await this.s.stores.audit.append(tx, [
        { actor, action: 'department.grant_type', subject: uscc, details: { typeCode, ...(warnings.length > 0 ? { warnings: warnings.map((w) => w.code) } : {}) }, at },
      ]);
      return { department, types: await this.s.stores.departments.typesOf(tx, uscc), changed: true, warnings };
    });
  }

  /**
   * The type grant migration (docs/adr/0011): every department granted a code that another code has replaced in
   * this node's standards is granted the successor too, keeping the old grant. One transaction, one audit entry
   * per department changed; what was granted already is left alone, so a second run changes nothing. A dry run
   * reads the same plan and writes nothing.
   */
  async migrateTypeGrants(actor: string, dryRun: boolean): Promise<TypeGrantMigration> {
    const plan = async (q: Queryable) => {
      const states = new Map((await this.s.stores.departments.list(q)).map((d) => [d.uscc, d.state]));
      return planTypeGrantMigration(await this.s.stores.departments.allGrants(q), (uscc) => states.get(uscc), this.s.catalog);
    };
    if (dryRun) return { dryRun, ...(await plan(this.s.db)) };
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const { changes: planned, skipped } = await plan(tx);
      // Only what this run inserted is reported and audited: a concurrent run that granted it first keeps it.
      const changes = [];
      for (const c of planned) if (await this.s.stores.departments.grantType(tx, c.uscc, c.to, at)) changes.push(c);
      const byDepartment = new Map<string, { from: string; to: string }[]>();
      for (const c of changes) byDepartment.set(c.uscc, [...(byDepartment.get(c.uscc) ?? []), { from: c.from, to: c.to }]);
      await this.s.stores.audit.append(
        tx,
        [...byDepartment].map(([uscc, grants]) => ({ actor, action: 'department.migrate_type_grants', subject: uscc, details: { grants }, at })),
      );
      return { dryRun, changes, skipped };
    });
  }

  /** Idempotent like grantType: withdrawing a type the department does not hold changes nothing. */
  async withdrawType(actor: string, uscc: string, typeCode: string): Promise<DepartmentWithTypes & { changed: boolean }> {
    checkTypeCode(typeCode, this.s.catalog);
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const { department } = await this.withTypes(tx, uscc);
      const changed = await this.s.stores.departments.withdrawType(tx, uscc, typeCode);
      if (changed) await this.s.stores.audit.append(tx, [{ actor, action: 'department.withdraw_type', subject: uscc, details: { typeCode }, at }]);
      return { department, types: await this.s.stores.departments.typesOf(tx, uscc), changed };
    });
  }

  /** suspend: active → suspended; reinstate: suspended → active; withdraw: either → withdrawn (final). Anything else: 409. */
  async changeState(actor: string, uscc: string, action: DepartmentStateAction, reason: string): Promise<DepartmentWithTypes> {
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const before = await this.s.stores.departments.get(tx, uscc);
      const department = await this.s.stores.departments.changeState(tx, uscc, TARGET[action], reason, at);
      await this.s.stores.audit.append(tx, [{ actor, action: `department.${action}`, subject: uscc, details: { from: before?.state ?? null, to: department.state, reason }, at }]);
      return { department, types: await this.s.stores.departments.typesOf(tx, uscc) };
    });
  }

  private async withTypes(q: Queryable, uscc: string): Promise<DepartmentWithTypes> {
    const department = await this.s.stores.departments.get(q, uscc);
    if (!department) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
    return { department, types: await this.s.stores.departments.typesOf(q, uscc) };
  }
}
