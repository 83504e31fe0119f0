import { ElicenseError } from '../errors';
import type { Queryable } from './Database';
import { createHash } from 'node:crypto';
import { asBytes, asDate, asNumber } from './rowValues';
import { FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION, sqlState } from './sqlState';

export type DepartmentState = 'active' | 'suspended' | 'withdrawn';

export interface Department {
  uscc: string;
  name: string;
  divisionCode: string;
  state: DepartmentState;
  stateSince: Date;
  stateReason: string | null;
  createdAt: Date;
}

export interface NewDepartment {
  uscc: string;
  name: string;
  divisionCode: string;
  at: Date;
}

/** A department's registered seal (PNG, validated before it is stored: region/departments/sealImage). */
export interface DepartmentSeal {
  uscc: string;
  png: Uint8Array;
  sha256: string;
  width: number;
  height: number;
  updatedAt: Date;
}

/** The region's issuing departments and the licence types each may issue. Inputs are validated by the caller. */
export interface DepartmentStore {
  /** Admits a department in state active; DEPARTMENT_EXISTS if the USCC is taken. */
  create(q: Queryable, d: NewDepartment): Promise<Department>;
  get(q: Queryable, uscc: string): Promise<Department | null>;
  list(q: Queryable): Promise<Department[]>;
  /** active ⇄ suspended, either → withdrawn (final). Anything else: DEPARTMENT_STATE_CONFLICT. Run in a transaction. */
  changeState(q: Queryable, uscc: string, to: DepartmentState, reason: string, at: Date): Promise<Department>;
  /** Idempotent; returns whether the grant is new (false: the department held it, or a concurrent grant won). */
  grantType(q: Queryable, uscc: string, typeCode: string, at: Date): Promise<boolean>;
  /** Returns whether the grant existed. */
  withdrawType(q: Queryable, uscc: string, typeCode: string): Promise<boolean>;
  typesOf(q: Queryable, uscc: string): Promise<string[]>;
  /** Every grant of every department, with when it was made (one query however many departments). */
  allGrants(q: Queryable): Promise<{ uscc: string; typeCode: string; grantedAt: Date }[]>;
  /** Registers or replaces the department's seal; DEPARTMENT_NOT_FOUND for an unknown department. */
  putSeal(q: Queryable, seal: { uscc: string; png: Uint8Array; width: number; height: number; at: Date }): Promise<DepartmentSeal>;
  getSeal(q: Queryable, uscc: string): Promise<DepartmentSeal | null>;
  /** Returns whether there was a seal. */
  deleteSeal(q: Queryable, uscc: string): Promise<boolean>;
}

const ALLOWED: Record<DepartmentState, readonly DepartmentState[]> = {
  active: ['suspended', 'withdrawn'],
  suspended: ['active', 'withdrawn'],
  withdrawn: [],
};

interface DepartmentRow {
  uscc: string;
  name: string;
  division_code: string;
  state: DepartmentState;
  state_since: unknown;
  state_reason: string | null;
  created_at: unknown;
}

const COLUMNS = 'uscc, name, division_code, state, state_since, state_reason, created_at';

export class SqlDepartmentStore implements DepartmentStore {
  async create(q: Queryable, d: NewDepartment): Promise<Department> {
    try {
      const [row] = await q.query<DepartmentRow>(
        `INSERT INTO departments (uscc, name, division_code, state, state_since, created_at) VALUES ($1, $2, $3, 'active', $4, $4) RETURNING ${COLUMNS}`,
        [d.uscc, d.name, d.divisionCode, d.at.toISOString()],
      );
      return toDepartment(row!);
    } catch (e) {
      if (sqlState(e) === UNIQUE_VIOLATION) throw new ElicenseError('DEPARTMENT_EXISTS', 'a department with this USCC already exists', { uscc: d.uscc });
      throw e;
    }
  }

  async get(q: Queryable, uscc: string): Promise<Department | null> {
    const [row] = await q.query<DepartmentRow>(`SELECT ${COLUMNS} FROM departments WHERE uscc = $1`, [uscc]);
    return row ? toDepartment(row) : null;
  }

  async list(q: Queryable): Promise<Department[]> {
    const rows = await q.query<DepartmentRow>(`SELECT ${COLUMNS} FROM departments ORDER BY uscc`);
    return rows.map(toDepartment);
  }

  async changeState(q: Queryable, uscc: string, to: DepartmentState, reason: string, at: Date): Promise<Department> {
    const [current] = await q.query<{ state: DepartmentState }>('SELECT state FROM departments WHERE uscc = $1 FOR UPDATE', [uscc]);
    if (!current) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
    if (!ALLOWED[current.state].includes(to)) {
      throw new ElicenseError('DEPARTMENT_STATE_CONFLICT', `a ${current.state} department cannot become ${to}`, { uscc, from: current.state, to });
    }
    const [row] = await q.query<DepartmentRow>(
      `UPDATE departments SET state = $2, state_since = $3, state_reason = $4 WHERE uscc = $1 RETURNING ${COLUMNS}`,
      [uscc, to, at.toISOString(), reason],
    );
    return toDepartment(row!);
  }

  async grantType(q: Queryable, uscc: string, typeCode: string, at: Date): Promise<boolean> {
    try {
      const rows = await q.query('INSERT INTO department_types (uscc, type_code, granted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING type_code', [uscc, typeCode, at.toISOString()]);
      return rows.length > 0;
    } catch (e) {
      if (sqlState(e) === FOREIGN_KEY_VIOLATION) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
      throw e;
    }
  }

  async withdrawType(q: Queryable, uscc: string, typeCode: string): Promise<boolean> {
    const rows = await q.query('DELETE FROM department_types WHERE uscc = $1 AND type_code = $2 RETURNING type_code', [uscc, typeCode]);
    return rows.length > 0;
  }

  async typesOf(q: Queryable, uscc: string): Promise<string[]> {
    const rows = await q.query<{ type_code: string }>('SELECT type_code FROM department_types WHERE uscc = $1 ORDER BY type_code', [uscc]);
    return rows.map((r) => r.type_code);
  }

  async allGrants(q: Queryable): Promise<{ uscc: string; typeCode: string; grantedAt: Date }[]> {
    const rows = await q.query<{ uscc: string; type_code: string; granted_at: unknown }>('SELECT uscc, type_code, granted_at FROM department_types ORDER BY uscc, type_code');
    return rows.map((r) => ({ uscc: r.uscc, typeCode: r.type_code, grantedAt: asDate(r.granted_at) }));
  }

  async putSeal(q: Queryable, seal: { uscc: string; png: Uint8Array; width: number; height: number; at: Date }): Promise<DepartmentSeal> {
    const sha256 = createHash('sha256').update(seal.png).digest('hex');
    try {
      const [row] = await q.query<SealRow>(
        `INSERT INTO department_seals (${SEAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (uscc) DO UPDATE SET png = EXCLUDED.png, sha256 = EXCLUDED.sha256, width = EXCLUDED.width, height = EXCLUDED.height, updated_at = EXCLUDED.updated_at
         RETURNING ${SEAL_COLUMNS}`,
        [seal.uscc, Buffer.from(seal.png), sha256, seal.width, seal.height, seal.at.toISOString()],
      );
      return toSeal(row!);
    } catch (e) {
      if (sqlState(e) === FOREIGN_KEY_VIOLATION) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc: seal.uscc });
      throw e;
    }
  }

  async getSeal(q: Queryable, uscc: string): Promise<DepartmentSeal | null> {
    const [row] = await q.query<SealRow>(`SELECT ${SEAL_COLUMNS} FROM department_seals WHERE uscc = $1`, [uscc]);
    return row ? toSeal(row) : null;
  }

  async deleteSeal(q: Queryable, uscc: string): Promise<boolean> {
    const rows = await q.query('DELETE FROM department_seals WHERE uscc = $1 RETURNING uscc', [uscc]);
    return rows.length > 0;
  }
}

interface SealRow {
  uscc: string;
  png: unknown;
  sha256: string;
  width: unknown;
  height: unknown;
  updated_at: unknown;
}

const SEAL_COLUMNS = 'uscc, png, sha256, width, height, updated_at';

function toSeal(r: SealRow): DepartmentSeal {
  return { uscc: r.uscc, png: asBytes(r.png), sha256: r.sha256, width: asNumber(r.width), height: asNumber(r.height), updatedAt: asDate(r.updated_at) };
}

function toDepartment(r: DepartmentRow): Department {
  return {
    uscc: r.uscc,
    name: r.name,
    divisionCode: r.division_code,
    state: r.state,
    stateSince: asDate(r.state_since),
    stateReason: r.state_reason,
    createdAt: asDate(r.created_at),
  };
}
