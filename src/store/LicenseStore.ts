import { ElicenseError } from '../errors';
import type { Queryable } from './Database';
import { asDate, asNumber } from './rowValues';
import { FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION, sqlState } from './sqlState';
import { decodeLicenseCursor, encodeLicenseCursor } from './licenseCursor';

export type LicenseStatus = 'valid' | 'revoked' | 'suspended';

/** A licence's position in its department's status lists. */
export interface StatusSlot {
  statusListId: string;
  statusIndex: number;
}

export interface NewLicense extends StatusSlot {
  identifier: string;
  uscc: string;
  typeCode: string;
  serial: string;
  version: number;
  /** The licence record (as signed), searchable with `recordContains`. */
  record: Record<string, unknown>;
  /** The signed full form, exactly as handed out. */
  fullForm: string;
  actor: string;
  at: Date;
  /** The licence this one replaces (换发/补发); the caller revokes it and links it with recordReplacement. */
  replaces?: string;
}

/** A licence type and certificate number of one department: at most one licence holding it is not revoked. */
export interface CertificateNumberKey {
  typeCode: string;
  certificateNumber: string;
}

export interface LicenseSummary extends StatusSlot {
  identifier: string;
  uscc: string;
  typeCode: string;
  serial: string;
  version: number;
  status: LicenseStatus;
  record: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /** The licence this one replaced, and the one that replaced it (re-issue, 换发/补发). */
  replaces: string | null;
  replacedBy: string | null;
}

export interface License extends LicenseSummary {
  fullForm: string;
}

export interface StatusChange {
  identifier: string;
  to: LicenseStatus;
  reason: string;
  actor: string;
  at: Date;
  /** When set, a licence of another department is reported as not found. */
  uscc?: string;
}

export interface LicenseEvent {
  identifier: string;
  fromStatus: LicenseStatus | null;
  toStatus: LicenseStatus;
  reason: string | null;
  actor: string;
  at: Date;
}

export interface LicenseQuery {
  uscc: string;
  typeCode?: string;
  status?: LicenseStatus;
  createdFrom?: Date;
  createdBefore?: Date;
  /** JSON containment on the record (jsonb @>), e.g. { holder: { code: '…' } }. */
  recordContains?: Record<string, unknown>;
  /** Licences naming this holder code: the first holder or any other holder (co-owners, envelope 1.1.0). */
  holderCode?: string;
  /** 1..500, default 50. */
  limit?: number;
  /** The `next` of the previous page. */
  after?: string;
}

export interface LicensePage {
  items: LicenseSummary[];
  /** Cursor for the next page, null on the last one. */
  next: string | null;
}

export interface LicenseStoreOptions {
  /** Entries per status list (default 131,072, the W3C Bitstring Status List minimum for herd privacy). */
  statusListCapacity?: number;
}

/**
 * Issued licences, their status-list slots and lifecycle. Issuance in one
 * transaction: allocateStatusSlots → sign → insert. Methods that read then
 * write (changeStatus) must run inside a transaction.
 */
export interface LicenseStore {
  /** Reserves `count` consecutive status indexes of one list of the department, safely across processes. Run in a transaction. */
  allocateStatusSlots(q: Queryable, uscc: string, count: number, at: Date): Promise<StatusSlot[]>;
  /** Inserts licences (one statement) with an 'issued' event each; LICENSE_DUPLICATE on a taken identifier, serial or slot. */
  insert(q: Queryable, licenses: readonly NewLicense[]): Promise<void>;
  get(q: Queryable, identifier: string): Promise<License | null>;
  /**
   * Takes transaction-scoped locks on these certificate numbers of the department (in a fixed order, so
   * concurrent batches do not deadlock), then returns the licences not revoked that already hold any of
   * them. Run in the issuing transaction before the status slots are allocated.
   */
  claimCertificateNumbers(q: Queryable, uscc: string, keys: readonly CertificateNumberKey[]): Promise<Array<CertificateNumberKey & { identifier: string }>>;
  /** Marks `predecessor` as replaced by `successor` (already inserted); LICENSE_STATE_CONFLICT when it was already replaced. */
  recordReplacement(q: Queryable, predecessor: string, successor: string): Promise<void>;
  /** Status only, with the reason of the last change: the verification hot path (no record, no full form). */
  statusOf(q: Queryable, identifier: string): Promise<LicenseStatusView | null>;
  list(q: Queryable, query: LicenseQuery): Promise<LicensePage>;
  /**
   * valid → suspended | revoked, suspended → valid | revoked; revoked is final. Else LICENSE_STATE_CONFLICT.
   * Who may make the change is not checked here: go through LicenseRecords.changeStatusIn (docs/adr/0005).
   */
  changeStatus(q: Queryable, change: StatusChange): Promise<License>;
  /** Locks the licence for a status change (its department's row too, against a concurrent state change) and says who set its status. Run in a transaction. */
  lockForStatusChange(q: Queryable, identifier: string): Promise<StatusHolder | null>;
  events(q: Queryable, identifier: string): Promise<LicenseEvent[]>;
  /** Every allocated licence of a list with its status, for publishing the list. */
  statusesOfList(q: Queryable, statusListId: string): Promise<Array<{ statusIndex: number; status: LicenseStatus }>>;
}

export interface LicenseStatusView extends StatusSlot {
  uscc: string;
  status: LicenseStatus;
  updatedAt: Date;
  /** Reason of the latest status change; null while the licence has never left 'valid'. */
  reason: string | null;
}

/** A licence's status, who set it and its department's state, read under the licence's row lock. */
export interface StatusHolder {
  status: LicenseStatus;
  uscc: string;
  typeCode: string;
  /** The licence that replaced this one (re-issue), if any. */
  replacedBy: string | null;
  /** Role of the API key behind the latest status event (issuance included); null when the actor is no API key. */
  setByRole: string | null;
  departmentState: string;
}

const ALLOWED: Record<LicenseStatus, readonly LicenseStatus[]> = {
  valid: ['suspended', 'revoked'],
  suspended: ['valid', 'revoked'],
  revoked: [],
};

/** The status machine alone (who may make a change is the caller's rule): revoked is final. */
export function statusChangeAllowed(from: LicenseStatus, to: LicenseStatus): boolean {
  return ALLOWED[from].includes(to);
}

const DEFAULT_CAPACITY = 131_072;
const MAX_PAGE = 500;
/** Licences per INSERT statement: 11 parameters each, well under PostgreSQL's 65,535. */
const INSERT_ROWS = 1000;
const SUMMARY = 'identifier, uscc, type_code, serial, version, status, status_list_id, status_index, record, created_at, updated_at, replaces, replaced_by';

interface LicenseRow {
  identifier: string;
  uscc: string;
  type_code: string;
  serial: string;
  version: unknown;
  status: LicenseStatus;
  status_list_id: string;
  status_index: unknown;
  record: Record<string, unknown>;
  full_form?: string;
  created_at: unknown;
  updated_at: unknown;
  replaces: string | null;
  replaced_by: string | null;
}

export class SqlLicenseStore implements LicenseStore {
  private readonly capacity: number;

  constructor(options: LicenseStoreOptions = {}) {
    this.capacity = options.statusListCapacity ?? DEFAULT_CAPACITY;
    if (!Number.isSafeInteger(this.capacity) || this.capacity < 1 || this.capacity > 2 ** 31 - 1) throw new RangeError('status list capacity out of range');
  }

  async allocateStatusSlots(q: Queryable, uscc: string, count: number, at: Date): Promise<StatusSlot[]> {
    if (!Number.isSafeInteger(count) || count < 1 || count > this.capacity) throw new RangeError(`slot count must be 1..${this.capacity}`);
    // Allocators of one department queue on a transaction-level lock (the list row would serialise them anyway);
    // row locks alone deadlock when several transactions race to open the next list.
    await q.query("SELECT pg_advisory_xact_lock(hashtextextended('elicense.status_lists:' || $1, 0))", [uscc]);
    // All `count` slots come from one list; a list's tail too short for the request stays for smaller ones.
    const [taken] = await q.query<{ list_id: string; end_index: unknown }>(
      `UPDATE status_lists SET next_index = next_index + $2
       WHERE list_id = (SELECT list_id FROM status_lists WHERE uscc = $1 AND next_index + $2 <= capacity ORDER BY list_no LIMIT 1)
       RETURNING list_id, next_index AS end_index`,
      [uscc, count],
    );
    const { listId, first } = taken ? { listId: taken.list_id, first: asNumber(taken.end_index) - count } : { listId: await this.addList(q, uscc, count, at), first: 0 };
    return Array.from({ length: count }, (_, i) => ({ statusListId: listId, statusIndex: first + i }));
  }

  async insert(q: Queryable, licenses: readonly NewLicense[]): Promise<void> {
    if (licenses.length === 0) return;
    for (let from = 0; from < licenses.length; from += INSERT_ROWS) await this.insertRows(q, licenses.slice(from, from + INSERT_ROWS));
    const col = <T>(f: (l: NewLicense) => T): T[] => licenses.map(f);
    await q.query(
      `INSERT INTO licence_events (identifier, from_status, to_status, reason, actor, at)
       SELECT identifier, NULL, 'valid', 'issued', actor, at FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS t (identifier, actor, at)`,
      [col((l) => l.identifier), col((l) => l.actor), col((l) => l.at.toISOString())],
    );
  }

  /**
   * One multi-row VALUES statement, a parameter per field: the signed forms (~5 KB each) and records go
   * as they are, where array parameters (unnest) had the client escape every one into an array literal
   * and the server parse it back.
   */
  private async insertRows(q: Queryable, licenses: readonly NewLicense[]): Promise<void> {
    const params: unknown[] = [];
    const rows = licenses.map((l) => {
      const p = params.length;
      params.push(l.identifier, l.uscc, l.typeCode, l.serial, l.version, l.statusListId, l.statusIndex, JSON.stringify(l.record), l.fullForm, l.at.toISOString(), l.replaces ?? null);
      const at = `$${p + 10}::timestamptz`;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}::int, 'valid', $${p + 6}, $${p + 7}::int, $${p + 8}::jsonb, $${p + 9}, ${at}, ${at}, $${p + 11})`;
    });
    try {
      await q.query(
        `INSERT INTO licences (identifier, uscc, type_code, serial, version, status, status_list_id, status_index, record, full_form, created_at, updated_at, replaces)
         VALUES ${rows.join(', ')}`,
        params,
      );
    } catch (e) {
      const state = sqlState(e);
      if (state === UNIQUE_VIOLATION) throw new ElicenseError('LICENSE_DUPLICATE', 'a licence with this identifier, serial or status slot already exists');
      if (state === FOREIGN_KEY_VIOLATION) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'unknown department or status list');
      throw e;
    }
  }

  async get(q: Queryable, identifier: string): Promise<License | null> {
    const [row] = await q.query<LicenseRow>(`SELECT ${SUMMARY}, full_form FROM licences WHERE identifier = $1`, [identifier]);
    return row ? { ...toSummary(row), fullForm: row.full_form as string } : null;
  }

  async claimCertificateNumbers(q: Queryable, uscc: string, keys: readonly CertificateNumberKey[]): Promise<Array<CertificateNumberKey & { identifier: string }>> {
    if (keys.length === 0) return [];
    const types = keys.map((k) => k.typeCode);
    const numbers = keys.map((k) => k.certificateNumber);
    // A lock per number, not a unique index: databases issued into before this check may hold duplicates already.
    await q.query(
      `SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT hashtextextended('elicense.certificate_number:' || $1 || '/' || t || '/' || n, 0) AS k
         FROM unnest($2::text[], $3::text[]) AS u (t, n) ORDER BY k) AS sorted`,
      [uscc, types, numbers],
    );
    const rows = await q.query<{ identifier: string; type_code: string; certificate_number: string }>(
      `SELECT identifier, type_code, certificate_number FROM licences
        WHERE uscc = $1 AND status <> 'revoked' AND (type_code, certificate_number) IN (SELECT t, n FROM unnest($2::text[], $3::text[]) AS u (t, n))
        ORDER BY created_at, identifier`,
      [uscc, types, numbers],
    );
    return rows.map((r) => ({ identifier: r.identifier, typeCode: r.type_code, certificateNumber: r.certificate_number }));
  }

  async recordReplacement(q: Queryable, predecessor: string, successor: string): Promise<void> {
    const rows = await q.query('UPDATE licences SET replaced_by = $2 WHERE identifier = $1 AND replaced_by IS NULL RETURNING identifier', [predecessor, successor]);
    if (rows.length === 0) throw new ElicenseError('LICENSE_STATE_CONFLICT', 'this licence was already replaced', { identifier: predecessor });
  }

  async statusOf(q: Queryable, identifier: string): Promise<LicenseStatusView | null> {
    const [row] = await q.query<{ uscc: string; status: LicenseStatus; status_list_id: string; status_index: unknown; updated_at: unknown; reason: string | null }>(
      `SELECT l.uscc, l.status, l.status_list_id, l.status_index, l.updated_at,
              CASE WHEN l.status = 'valid' THEN NULL ELSE
                (SELECT e.reason FROM licence_events e WHERE e.identifier = l.identifier ORDER BY e.event_id DESC LIMIT 1) END AS reason
         FROM licences l WHERE l.identifier = $1`,
      [identifier],
    );
    return row
      ? { uscc: row.uscc, status: row.status, statusListId: row.status_list_id, statusIndex: asNumber(row.status_index), updatedAt: asDate(row.updated_at), reason: row.reason }
      : null;
  }

  async list(q: Queryable, query: LicenseQuery): Promise<LicensePage> {
    const limit = query.limit ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ElicenseError('INPUT_MALFORMED', `page size must be 1..${MAX_PAGE}`);
    const params: unknown[] = [query.uscc];
    const where = ['uscc = $1'];
    const add = (sql: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (query.typeCode !== undefined) add((p) => `type_code = ${p}`, query.typeCode);
    if (query.status !== undefined) add((p) => `status = ${p}`, query.status);
    if (query.createdFrom !== undefined) add((p) => `created_at >= ${p}`, query.createdFrom.toISOString());
    if (query.createdBefore !== undefined) add((p) => `created_at < ${p}`, query.createdBefore.toISOString());
    if (query.recordContains !== undefined) add((p) => `record @> ${p}::jsonb`, JSON.stringify(query.recordContains));
    if (query.holderCode !== undefined) {
      // Two containments, each served by the record's jsonb_path_ops index.
      params.push(JSON.stringify({ certificateHolderCode: query.holderCode }), JSON.stringify({ certificateOtherHolders: [{ code: query.holderCode }] }));
      where.push(`(record @> $${params.length - 1}::jsonb OR record @> $${params.length}::jsonb)`);
    }
    if (query.after !== undefined) {
      const cursor = decodeLicenseCursor(query.after);
      params.push(cursor.createdAt.toISOString(), cursor.identifier);
      where.push(`(created_at, identifier) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(limit + 1);
    const rows = await q.query<LicenseRow>(
      `SELECT ${SUMMARY} FROM licences WHERE ${where.join(' AND ')} ORDER BY created_at DESC, identifier DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit).map(toSummary);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? encodeLicenseCursor(last) : null };
  }

  async changeStatus(q: Queryable, change: StatusChange): Promise<License> {
    const [current] = await q.query<{ status: LicenseStatus; uscc: string }>('SELECT status, uscc FROM licences WHERE identifier = $1 FOR UPDATE', [
      change.identifier,
    ]);
    if (!current || (change.uscc !== undefined && current.uscc !== change.uscc)) {
      throw new ElicenseError('LICENSE_NOT_FOUND', 'no such licence', { identifier: change.identifier });
    }
    if (!ALLOWED[current.status].includes(change.to)) {
      throw new ElicenseError('LICENSE_STATE_CONFLICT', `a ${current.status} licence cannot become ${change.to}`, {
        identifier: change.identifier,
        from: current.status,
        to: change.to,
      });
    }
    const at = change.at.toISOString();
    const [row] = await q.query<LicenseRow>(`UPDATE licences SET status = $2, updated_at = $3 WHERE identifier = $1 RETURNING ${SUMMARY}, full_form`, [
      change.identifier,
      change.to,
      at,
    ]);
    await q.query('INSERT INTO licence_events (identifier, from_status, to_status, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6)', [
      change.identifier,
      current.status,
      change.to,
      change.reason,
      change.actor,
      at,
    ]);
    return { ...toSummary(row!), fullForm: row!.full_form as string };
  }

  async lockForStatusChange(q: Queryable, identifier: string): Promise<StatusHolder | null> {
    // Lock first, read after: a statement that waited for the lock re-reads the locked row only, and its
    // subqueries would still see the events as of before the wait (READ COMMITTED), missing the change waited for.
    const locked = await q.query('SELECT 1 FROM licences l JOIN departments d ON d.uscc = l.uscc WHERE l.identifier = $1 FOR UPDATE OF l FOR SHARE OF d', [identifier]);
    if (locked.length === 0) return null;
    const [row] = await q.query<{ status: LicenseStatus; uscc: string; type_code: string; replaced_by: string | null; set_by_role: string | null; department_state: string }>(
      `SELECT l.status, l.uscc, l.type_code, l.replaced_by, d.state AS department_state,
              (SELECT k.role FROM licence_events e LEFT JOIN api_keys k ON k.key_id = e.actor
                WHERE e.identifier = l.identifier ORDER BY e.event_id DESC LIMIT 1) AS set_by_role
         FROM licences l JOIN departments d ON d.uscc = l.uscc
        WHERE l.identifier = $1`,
      [identifier],
    );
    return row
      ? { status: row.status, uscc: row.uscc, typeCode: row.type_code, replacedBy: row.replaced_by, setByRole: row.set_by_role, departmentState: row.department_state }
      : null;
  }

  async events(q: Queryable, identifier: string): Promise<LicenseEvent[]> {
    const rows = await q.query<{ identifier: string; from_status: LicenseStatus | null; to_status: LicenseStatus; reason: string | null; actor: string; at: unknown }>(
      'SELECT identifier, from_status, to_status, reason, actor, at FROM licence_events WHERE identifier = $1 ORDER BY event_id',
      [identifier],
    );
    return rows.map((r) => ({ identifier: r.identifier, fromStatus: r.from_status, toStatus: r.to_status, reason: r.reason, actor: r.actor, at: asDate(r.at) }));
  }

  async statusesOfList(q: Queryable, statusListId: string): Promise<Array<{ statusIndex: number; status: LicenseStatus }>> {
    const rows = await q.query<{ status_index: unknown; status: LicenseStatus }>(
      'SELECT status_index, status FROM licences WHERE status_list_id = $1 ORDER BY status_index',
      [statusListId],
    );
    return rows.map((r) => ({ statusIndex: asNumber(r.status_index), status: r.status }));
  }

  /** Opens the department's next list with its first `count` slots taken (under the allocation lock). */
  private async addList(q: Queryable, uscc: string, count: number, at: Date): Promise<string> {
    try {
      const [row] = await q.query<{ list_id: string }>(
        `INSERT INTO status_lists (list_id, uscc, list_no, capacity, next_index, created_at)
         SELECT $1 || '-' || n, $1, n, $2, $3, $4 FROM (SELECT COALESCE(MAX(list_no), 0) + 1 AS n FROM status_lists WHERE uscc = $1) AS next
         RETURNING list_id`,
        [uscc, this.capacity, count, at.toISOString()],
      );
      return row!.list_id;
    } catch (e) {
      if (sqlState(e) === FOREIGN_KEY_VIOLATION) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
      throw e;
    }
  }
}

function toSummary(r: LicenseRow): LicenseSummary {
  return {
    identifier: r.identifier,
    uscc: r.uscc,
    typeCode: r.type_code,
    serial: r.serial,
    version: asNumber(r.version),
    status: r.status,
    statusListId: r.status_list_id,
    statusIndex: asNumber(r.status_index),
    record: r.record,
    createdAt: asDate(r.created_at),
    updatedAt: asDate(r.updated_at),
    replaces: r.replaces ?? null,
    replacedBy: r.replaced_by ?? null,
  };
}
