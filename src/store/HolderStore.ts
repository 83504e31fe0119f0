import type { Queryable } from './Database';
import type { LicenseStatus } from './LicenseStore';
import { asDate, asNumber, asOptionalDate } from './rowValues';

/** A licence as its holder sees it in the wallet: every department of the region, status included. */
export interface WalletLicense {
  identifier: string;
  uscc: string;
  typeCode: string;
  status: LicenseStatus;
  record: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  replacedBy: string | null;
}

export interface PresentationRow {
  presentationId: string;
  licenseIdentifier: string;
  holderCode: string;
  createdAt: Date;
  expiresAt: Date;
  redeemedAt: Date | null;
}

export interface NewGrant {
  grantId: string;
  codeSha256: string;
  holderCode: string;
  licenseIdentifier: string | null;
  typeCode: string | null;
  department: { region: string; uscc: string };
  serviceItem: { name: string; code: string | null };
  caseNumber: string;
  createdAt: Date;
  expiresAt: Date;
  maxUses: number;
}

export interface GrantRow extends NewGrant {
  uses: number;
  redeemedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewUsageEvent {
  at: Date;
  /** presentation | exchange | read | annotated_copy | … */
  kind: string;
  licenseIdentifier: string;
  /** Every holder of the licence: each sees the event in their log. */
  holderCodes: readonly string[];
  actor: { kind: string; region?: string | null; uscc?: string | null; name?: string | null };
  purpose?: string | null;
  serviceItem?: { name: string; code?: string | null } | null;
  caseNumber?: string | null;
  grantId?: string | null;
  copyId?: string | null;
  presentationId?: string | null;
}

export interface UsageEvent extends Omit<NewUsageEvent, 'holderCodes'> {
  eventId: number;
  holderCodes: string[];
}

export interface NewAnnotatedCopy {
  copyId: string;
  licenseIdentifier: string;
  holderCode: string;
  purpose: string;
  userDepartment: Record<string, unknown>;
  madeAt: Date;
  notAfter: Date;
  /** The signed document as handed out. */
  document: string;
}

export interface AnnotatedCopyRow extends NewAnnotatedCopy {
  revokedAt: Date | null;
}

/** Paging of lists ordered newest first: `before` is the `next` of the previous page. */
export interface Page {
  limit: number;
  before?: number;
}

const WALLET_COLUMNS = 'identifier, uscc, type_code, status, record, created_at, updated_at, replaced_by';
/** The columns of a holder's grant, in the order grantRowOf reads them (also read by the consumer store). */
export const HOLDER_GRANT_COLUMNS =
  'grant_id, code_sha256, holder_code, licence_identifier, type_code, department_region, department_uscc, service_item_name, service_item_code, case_number, created_at, expires_at, max_uses, uses, redeemed_at, revoked_at';
const USAGE_COLUMNS =
  'event_id, at, kind, licence_identifier, holder_codes, actor_kind, actor_region, actor_uscc, actor_name, purpose, service_item_name, service_item_code, case_number, grant_id, copy_id, presentation_id';

/** The licences naming a holder code, first holder or co-holder (the record's jsonb_path_ops index serves both). */
const HOLDER_MATCH = '(record @> $1::jsonb OR record @> $2::jsonb)';
const holderParams = (holderCode: string): [string, string] => [
  JSON.stringify({ certificateHolderCode: holderCode }),
  JSON.stringify({ certificateOtherHolders: [{ code: holderCode }] }),
];

/**
 * The holder's side in SQL (migration 0010): the wallet query over every
 * department's licences, presentations, grants, annotated copies and the
 * usage log. Methods that read then write must run inside a transaction.
 */
export class SqlHolderStore {
  async walletLicenses(q: Queryable, holderCode: string, limit = 500): Promise<WalletLicense[]> {
    const rows = await q.query<Record<string, unknown>>(
      `SELECT ${WALLET_COLUMNS} FROM licences WHERE ${HOLDER_MATCH} ORDER BY created_at DESC, identifier DESC LIMIT $3`,
      [...holderParams(holderCode), limit],
    );
    return rows.map(toWallet);
  }

  /** One licence of the holder (null when it does not name the holder). */
  async walletLicense(q: Queryable, holderCode: string, identifier: string): Promise<(WalletLicense & { fullForm: string }) | null> {
    const [row] = await q.query<Record<string, unknown>>(`SELECT ${WALLET_COLUMNS}, full_form FROM licences WHERE ${HOLDER_MATCH} AND identifier = $3`, [
      ...holderParams(holderCode),
      identifier,
    ]);
    return row ? { ...toWallet(row), fullForm: row['full_form'] as string } : null;
  }

  /** The licences of a type naming the holder, newest first. */
  async walletLicensesOfType(q: Queryable, holderCode: string, typeCode: string): Promise<Array<WalletLicense & { fullForm: string }>> {
    const rows = await q.query<Record<string, unknown>>(
      `SELECT ${WALLET_COLUMNS}, full_form FROM licences WHERE ${HOLDER_MATCH} AND type_code = $3 ORDER BY created_at DESC, identifier DESC LIMIT 50`,
      [...holderParams(holderCode), typeCode],
    );
    return rows.map((r) => ({ ...toWallet(r), fullForm: r['full_form'] as string }));
  }

  /** Distinct holders of the region's licences (name and code), for the DEMO sign-in list. */
  async holdersOfLicenses(q: Queryable, limit: number): Promise<Array<{ code: string; name: string }>> {
    const rows = await q.query<{ code: string; name: string }>(
      `SELECT DISTINCT ON (code) code, name FROM (
         SELECT record->>'certificateHolderCode' AS code, record->>'certificateHolderName' AS name FROM licences
         UNION ALL
         SELECT h->>'code', h->>'name' FROM licences, jsonb_array_elements(CASE WHEN jsonb_typeof(record->'certificateOtherHolders') = 'array' THEN record->'certificateOtherHolders' ELSE '[]'::jsonb END) AS h
       ) AS holders WHERE code IS NOT NULL AND name IS NOT NULL ORDER BY code LIMIT $1`,
      [limit],
    );
    return rows;
  }

  async insertPresentation(q: Queryable, p: Omit<PresentationRow, 'redeemedAt'>): Promise<void> {
    await q.query('INSERT INTO holder_presentations (presentation_id, licence_identifier, holder_code, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      p.presentationId,
      p.licenseIdentifier,
      p.holderCode,
      p.createdAt.toISOString(),
      p.expiresAt.toISOString(),
    ]);
  }

  /**
   * Marks the presentation redeemed if it is unredeemed and unexpired at `now` (one statement: of two
   * concurrent redemptions exactly one succeeds); otherwise returns what there is, to say why not.
   */
  async consumePresentation(q: Queryable, presentationId: string, now: Date): Promise<{ consumed: boolean; row: PresentationRow | null }> {
    const [done] = await q.query<Record<string, unknown>>(
      `UPDATE holder_presentations SET redeemed_at = $2 WHERE presentation_id = $1 AND redeemed_at IS NULL AND expires_at > $2
       RETURNING presentation_id, licence_identifier, holder_code, created_at, expires_at, redeemed_at`,
      [presentationId, now.toISOString()],
    );
    if (done) return { consumed: true, row: toPresentation(done) };
    return { consumed: false, row: await this.presentation(q, presentationId) };
  }

  async presentation(q: Queryable, presentationId: string): Promise<PresentationRow | null> {
    const [row] = await q.query<Record<string, unknown>>(
      'SELECT presentation_id, licence_identifier, holder_code, created_at, expires_at, redeemed_at FROM holder_presentations WHERE presentation_id = $1',
      [presentationId],
    );
    return row ? toPresentation(row) : null;
  }

  async insertGrant(q: Queryable, g: NewGrant): Promise<void> {
    await q.query(
      `INSERT INTO holder_grants (grant_id, code_sha256, holder_code, licence_identifier, type_code, department_region, department_uscc, service_item_name, service_item_code, case_number, created_at, expires_at, max_uses)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        g.grantId,
        g.codeSha256,
        g.holderCode,
        g.licenseIdentifier,
        g.typeCode,
        g.department.region,
        g.department.uscc,
        g.serviceItem.name,
        g.serviceItem.code,
        g.caseNumber,
        g.createdAt.toISOString(),
        g.expiresAt.toISOString(),
        g.maxUses,
      ],
    );
  }

  /** The grant with this code's SHA-256, locked for the exchange (run in a transaction). */
  async grantByCodeForUpdate(q: Queryable, codeSha256: string): Promise<GrantRow | null> {
    const [row] = await q.query<Record<string, unknown>>(`SELECT ${HOLDER_GRANT_COLUMNS} FROM holder_grants WHERE code_sha256 = $1 FOR UPDATE`, [codeSha256]);
    return row ? grantRowOf(row) : null;
  }

  /** The grant, locked (run in a transaction) when `forUpdate`. */
  async grant(q: Queryable, grantId: string, forUpdate = false): Promise<GrantRow | null> {
    const [row] = await q.query<Record<string, unknown>>(`SELECT ${HOLDER_GRANT_COLUMNS} FROM holder_grants WHERE grant_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [grantId]);
    return row ? grantRowOf(row) : null;
  }

  async grantsOf(q: Queryable, holderCode: string, limit = 200): Promise<GrantRow[]> {
    const rows = await q.query<Record<string, unknown>>(`SELECT ${HOLDER_GRANT_COLUMNS} FROM holder_grants WHERE holder_code = $1 ORDER BY created_at DESC, grant_id LIMIT $2`, [
      holderCode,
      limit,
    ]);
    return rows.map(grantRowOf);
  }

  /** One more use of the grant; the first one marks it redeemed. */
  async useGrant(q: Queryable, grantId: string, at: Date): Promise<GrantRow> {
    const [row] = await q.query<Record<string, unknown>>(
      `UPDATE holder_grants SET uses = uses + 1, redeemed_at = COALESCE(redeemed_at, $2) WHERE grant_id = $1 AND uses < max_uses RETURNING ${HOLDER_GRANT_COLUMNS}`,
      [grantId, at.toISOString()],
    );
    if (!row) throw new Error(`grant ${grantId} has no use left (check before using it)`);
    return grantRowOf(row);
  }

  /** Revokes the holder's grant; false when it is not theirs or was already revoked. */
  async revokeGrant(q: Queryable, grantId: string, holderCode: string, at: Date): Promise<GrantRow | null> {
    const [row] = await q.query<Record<string, unknown>>(
      `UPDATE holder_grants SET revoked_at = $3 WHERE grant_id = $1 AND holder_code = $2 AND revoked_at IS NULL RETURNING ${HOLDER_GRANT_COLUMNS}`,
      [grantId, holderCode, at.toISOString()],
    );
    return row ? grantRowOf(row) : null;
  }

  async insertAnnotatedCopy(q: Queryable, c: NewAnnotatedCopy): Promise<void> {
    await q.query(
      'INSERT INTO annotated_copies (copy_id, licence_identifier, holder_code, purpose, user_department, made_at, not_after, document) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)',
      [c.copyId, c.licenseIdentifier, c.holderCode, c.purpose, JSON.stringify(c.userDepartment), c.madeAt.toISOString(), c.notAfter.toISOString(), c.document],
    );
  }

  /** Copies of the licence the holder has that are neither revoked nor past notAfter at `at`. */
  async activeAnnotatedCopies(q: Queryable, licenseIdentifier: string, holderCode: string, at: Date): Promise<number> {
    const [row] = await q.query<{ n: unknown }>(
      'SELECT count(*) AS n FROM annotated_copies WHERE licence_identifier = $1 AND holder_code = $2 AND revoked_at IS NULL AND not_after > $3',
      [licenseIdentifier, holderCode, at.toISOString()],
    );
    return asNumber(row?.n ?? 0);
  }

  async annotatedCopy(q: Queryable, copyId: string): Promise<AnnotatedCopyRow | null> {
    const [r] = await q.query<Record<string, unknown>>(
      'SELECT copy_id, licence_identifier, holder_code, purpose, user_department, made_at, not_after, revoked_at, document FROM annotated_copies WHERE copy_id = $1',
      [copyId],
    );
    if (!r) return null;
    return {
      copyId: r['copy_id'] as string,
      licenseIdentifier: r['licence_identifier'] as string,
      holderCode: r['holder_code'] as string,
      purpose: r['purpose'] as string,
      userDepartment: r['user_department'] as Record<string, unknown>,
      madeAt: asDate(r['made_at']),
      notAfter: asDate(r['not_after']),
      revokedAt: asOptionalDate(r['revoked_at']),
      document: r['document'] as string,
    };
  }

  /** The holder's copies, newest first, without their documents. */
  async annotatedCopiesOf(q: Queryable, holderCode: string, limit = 200): Promise<Array<Omit<AnnotatedCopyRow, 'document'>>> {
    const rows = await q.query<Record<string, unknown>>(
      'SELECT copy_id, licence_identifier, holder_code, purpose, user_department, made_at, not_after, revoked_at FROM annotated_copies WHERE holder_code = $1 ORDER BY made_at DESC, copy_id LIMIT $2',
      [holderCode, limit],
    );
    return rows.map((r) => ({
      copyId: r['copy_id'] as string,
      licenseIdentifier: r['licence_identifier'] as string,
      holderCode: r['holder_code'] as string,
      purpose: r['purpose'] as string,
      userDepartment: r['user_department'] as Record<string, unknown>,
      madeAt: asDate(r['made_at']),
      notAfter: asDate(r['not_after']),
      revokedAt: asOptionalDate(r['revoked_at']),
    }));
  }

  async insertUsage(q: Queryable, events: readonly NewUsageEvent[]): Promise<void> {
    for (const e of events) {
      await q.query(
        `INSERT INTO usage_events (at, kind, licence_identifier, holder_codes, actor_kind, actor_region, actor_uscc, actor_name, purpose, service_item_name, service_item_code, case_number, grant_id, copy_id, presentation_id)
         VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          e.at.toISOString(),
          e.kind,
          e.licenseIdentifier,
          [...e.holderCodes],
          e.actor.kind,
          e.actor.region ?? null,
          e.actor.uscc ?? null,
          e.actor.name ?? null,
          e.purpose ?? null,
          e.serviceItem?.name ?? null,
          e.serviceItem?.code ?? null,
          e.caseNumber ?? null,
          e.grantId ?? null,
          e.copyId ?? null,
          e.presentationId ?? null,
        ],
      );
    }
  }

  /** The uses of licences naming the holder, newest first. */
  async usageOfHolder(q: Queryable, holderCode: string, page: Page): Promise<UsageEvent[]> {
    const rows = await q.query<Record<string, unknown>>(
      `SELECT ${USAGE_COLUMNS} FROM usage_events WHERE holder_codes @> ARRAY[$1::text] AND event_id < $2 ORDER BY event_id DESC LIMIT $3`,
      [holderCode, page.before ?? Number.MAX_SAFE_INTEGER, page.limit],
    );
    return rows.map(toUsage);
  }

  /**
   * Every use in the region, newest first, for the region admin and the auditor; narrowed to one department
   * (region and USCC), one kind or one licence when asked.
   */
  async usageOfRegion(q: Queryable, filter: { region?: string; uscc?: string; kind?: string; licenseIdentifier?: string }, page: Page): Promise<UsageEvent[]> {
    const where: string[] = ['event_id < $1'];
    const args: unknown[] = [page.before ?? Number.MAX_SAFE_INTEGER];
    const add = (sql: string, value: unknown) => {
      args.push(value);
      where.push(`${sql} = $${args.length}`);
    };
    if (filter.region !== undefined) add('actor_region', filter.region);
    if (filter.uscc !== undefined) add('actor_uscc', filter.uscc);
    if (filter.kind !== undefined) add('kind', filter.kind);
    if (filter.licenseIdentifier !== undefined) add('licence_identifier', filter.licenseIdentifier);
    args.push(page.limit);
    const rows = await q.query<Record<string, unknown>>(`SELECT ${USAGE_COLUMNS} FROM usage_events WHERE ${where.join(' AND ')} ORDER BY event_id DESC LIMIT $${args.length}`, args);
    return rows.map(toUsage);
  }

  /** The uses a department made (by its USCC, in its own region), newest first. */
  async usageOfDepartment(q: Queryable, region: string, uscc: string, page: Page): Promise<UsageEvent[]> {
    const rows = await q.query<Record<string, unknown>>(
      `SELECT ${USAGE_COLUMNS} FROM usage_events WHERE actor_uscc = $1 AND actor_region = $2 AND event_id < $3 ORDER BY event_id DESC LIMIT $4`,
      [uscc, region, page.before ?? Number.MAX_SAFE_INTEGER, page.limit],
    );
    return rows.map(toUsage);
  }
}

function toWallet(r: Record<string, unknown>): WalletLicense {
  return {
    identifier: r['identifier'] as string,
    uscc: r['uscc'] as string,
    typeCode: r['type_code'] as string,
    status: r['status'] as LicenseStatus,
    record: r['record'] as Record<string, unknown>,
    createdAt: asDate(r['created_at']),
    updatedAt: asDate(r['updated_at']),
    replacedBy: (r['replaced_by'] as string | null) ?? null,
  };
}

function toPresentation(r: Record<string, unknown>): PresentationRow {
  return {
    presentationId: r['presentation_id'] as string,
    licenseIdentifier: r['licence_identifier'] as string,
    holderCode: r['holder_code'] as string,
    createdAt: asDate(r['created_at']),
    expiresAt: asDate(r['expires_at']),
    redeemedAt: asOptionalDate(r['redeemed_at']),
  };
}

/** A row of holder_grants as a GrantRow. */
export function grantRowOf(r: Record<string, unknown>): GrantRow {
  return {
    grantId: r['grant_id'] as string,
    codeSha256: r['code_sha256'] as string,
    holderCode: r['holder_code'] as string,
    licenseIdentifier: (r['licence_identifier'] as string | null) ?? null,
    typeCode: (r['type_code'] as string | null) ?? null,
    department: { region: r['department_region'] as string, uscc: r['department_uscc'] as string },
    serviceItem: { name: r['service_item_name'] as string, code: (r['service_item_code'] as string | null) ?? null },
    caseNumber: r['case_number'] as string,
    createdAt: asDate(r['created_at']),
    expiresAt: asDate(r['expires_at']),
    maxUses: asNumber(r['max_uses']),
    uses: asNumber(r['uses']),
    redeemedAt: asOptionalDate(r['redeemed_at']),
    revokedAt: asOptionalDate(r['revoked_at']),
  };
}

function toUsage(r: Record<string, unknown>): UsageEvent {
  const name = r['service_item_name'] as string | null;
  return {
    eventId: asNumber(r['event_id']),
    at: asDate(r['at']),
    kind: r['kind'] as string,
    licenseIdentifier: r['licence_identifier'] as string,
    holderCodes: [...(r['holder_codes'] as string[])],
    actor: {
      kind: r['actor_kind'] as string,
      region: (r['actor_region'] as string | null) ?? null,
      uscc: (r['actor_uscc'] as string | null) ?? null,
      name: (r['actor_name'] as string | null) ?? null,
    },
    purpose: (r['purpose'] as string | null) ?? null,
    serviceItem: name === null ? null : { name, code: (r['service_item_code'] as string | null) ?? null },
    caseNumber: (r['case_number'] as string | null) ?? null,
    grantId: (r['grant_id'] as string | null) ?? null,
    copyId: (r['copy_id'] as string | null) ?? null,
    presentationId: (r['presentation_id'] as string | null) ?? null,
  };
}
