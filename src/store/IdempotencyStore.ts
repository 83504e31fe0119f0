import { ElicenseError } from '../errors';
import type { Queryable } from './Database';

export interface IdempotencyReservation {
  /** Who sent the request (API key id): keys are scoped per principal. */
  principal: string;
  key: string;
  /** Hash of the request body as the caller defines it (e.g. SHA-256 of its canonical JSON). */
  requestHash: string;
  at: Date;
}

export type ReserveOutcome =
  | { kind: 'new' }
  /** The same request was completed before: answer with what was stored. */
  | { kind: 'replay'; licenseIdentifier: string | null; response: unknown };

export interface IdempotencyCompletion {
  principal: string;
  key: string;
  licenseIdentifier?: string | null;
  response: unknown;
  at: Date;
}

/**
 * Idempotency keys for issuance. Reserve and complete inside the issuing
 * transaction: a crash before commit leaves nothing, and a concurrent request
 * with the same key waits for the first to commit, then replays it.
 */
export interface IdempotencyStore {
  /** Same key and hash → replay; same key, different hash → IDEMPOTENCY_KEY_REUSED. */
  reserve(q: Queryable, r: IdempotencyReservation): Promise<ReserveOutcome>;
  complete(q: Queryable, c: IdempotencyCompletion): Promise<void>;
  /**
   * reserve() for many keys of one principal in two statements (batch issuance).
   * The outcome of each key, in input order: an outcome, or the ElicenseError
   * that reserve() would have thrown for it. Keys must be distinct.
   */
  reserveMany(q: Queryable, principal: string, entries: readonly { key: string; requestHash: string }[], at: Date): Promise<Array<ReserveOutcome | ElicenseError>>;
  /** complete() for many keys of one principal in one statement. */
  completeMany(q: Queryable, principal: string, completions: readonly Omit<IdempotencyCompletion, 'principal' | 'at'>[], at: Date): Promise<void>;
  /** Forgets keys reserved before `before`; returns how many. */
  purge(q: Queryable, before: Date): Promise<number>;
}

interface KeyRow {
  request_hash: string;
  licence_identifier: string | null;
  response: unknown;
  completed_at: unknown;
}

export class SqlIdempotencyStore implements IdempotencyStore {
  async reserve(q: Queryable, r: IdempotencyReservation): Promise<ReserveOutcome> {
    // Twice at most: the only way both statements miss is a purge between them.
    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await q.query(
        'INSERT INTO idempotency_keys (principal, key, request_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (principal, key) DO NOTHING RETURNING key',
        [r.principal, r.key, r.requestHash, r.at.toISOString()],
      );
      if (inserted.length > 0) return { kind: 'new' };
      const [row] = await q.query<KeyRow>(
        'SELECT request_hash, licence_identifier, response, completed_at FROM idempotency_keys WHERE principal = $1 AND key = $2',
        [r.principal, r.key],
      );
      if (!row) continue;
      if (row.request_hash !== r.requestHash) {
        throw new ElicenseError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request', { key: r.key });
      }
      if (row.completed_at === null) {
        throw new ElicenseError('IDEMPOTENCY_KEY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed', { key: r.key });
      }
      return { kind: 'replay', licenseIdentifier: row.licence_identifier, response: row.response };
    }
    throw new ElicenseError('IDEMPOTENCY_KEY_IN_PROGRESS', 'the Idempotency-Key changed while it was being reserved', { key: r.key });
  }

  async complete(q: Queryable, c: IdempotencyCompletion): Promise<void> {
    const rows = await q.query(
      'UPDATE idempotency_keys SET licence_identifier = $3, response = $4::jsonb, completed_at = $5 WHERE principal = $1 AND key = $2 RETURNING key',
      [c.principal, c.key, c.licenseIdentifier ?? null, JSON.stringify(c.response ?? null), c.at.toISOString()],
    );
    if (rows.length === 0) throw new Error('idempotency key completed without being reserved');
  }

  async reserveMany(q: Queryable, principal: string, entries: readonly { key: string; requestHash: string }[], at: Date): Promise<Array<ReserveOutcome | ElicenseError>> {
    if (entries.length === 0) return [];
    const keys = entries.map((e) => e.key);
    if (new Set(keys).size !== keys.length) throw new Error('reserveMany needs distinct keys');
    // Like reserve(): a key held by an uncommitted transaction makes this insert wait for it, then skip.
    const inserted = await q.query<{ key: string }>(
      `INSERT INTO idempotency_keys (principal, key, request_hash, created_at)
       SELECT $1, k, h, $4 FROM unnest($2::text[], $3::text[]) AS t (k, h)
       ON CONFLICT (principal, key) DO NOTHING RETURNING key`,
      [principal, keys, entries.map((e) => e.requestHash), at.toISOString()],
    );
    const fresh = new Set(inserted.map((r) => r.key));
    const others = keys.filter((k) => !fresh.has(k));
    const existing = new Map<string, KeyRow>();
    if (others.length > 0) {
      const rows = await q.query<KeyRow & { key: string }>(
        'SELECT key, request_hash, licence_identifier, response, completed_at FROM idempotency_keys WHERE principal = $1 AND key = ANY($2::text[])',
        [principal, others],
      );
      for (const r of rows) existing.set(r.key, r);
    }
    return entries.map((e) => {
      if (fresh.has(e.key)) return { kind: 'new' } as const;
      const row = existing.get(e.key);
      if (!row) return new ElicenseError('IDEMPOTENCY_KEY_IN_PROGRESS', 'the Idempotency-Key changed while it was being reserved', { key: e.key });
      if (row.request_hash !== e.requestHash) return new ElicenseError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request', { key: e.key });
      if (row.completed_at === null) return new ElicenseError('IDEMPOTENCY_KEY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed', { key: e.key });
      return { kind: 'replay', licenseIdentifier: row.licence_identifier, response: row.response } as const;
    });
  }

  async completeMany(q: Queryable, principal: string, completions: readonly Omit<IdempotencyCompletion, 'principal' | 'at'>[], at: Date): Promise<void> {
    if (completions.length === 0) return;
    const rows = await q.query(
      `UPDATE idempotency_keys AS i SET licence_identifier = t.id, response = t.resp, completed_at = $5
         FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS t (k, id, resp)
        WHERE i.principal = $1 AND i.key = t.k RETURNING i.key`,
      [principal, completions.map((c) => c.key), completions.map((c) => c.licenseIdentifier ?? null), completions.map((c) => JSON.stringify(c.response ?? null)), at.toISOString()],
    );
    if (rows.length !== completions.length) throw new Error('idempotency keys completed without being reserved');
  }

  async purge(q: Queryable, before: Date): Promise<number> {
    const rows = await q.query('DELETE FROM idempotency_keys WHERE created_at < $1 RETURNING key', [before.toISOString()]);
    return rows.length;
  }
}
