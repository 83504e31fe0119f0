import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ElicenseError } from '../errors';
import type { Queryable } from './Database';
import { asBytes, asDate, asOptionalDate } from './rowValues';
import { FOREIGN_KEY_VIOLATION, sqlState } from './sqlState';

export type ApiKeyRole = 'region_admin' | 'issuer' | 'auditor' | 'consumer';

export interface ApiKey {
  keyId: string;
  role: ApiKeyRole;
  /** The department an issuer (or a department auditor) acts for; null for region-wide keys. */
  uscc: string | null;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface NewApiKey {
  role: ApiKeyRole;
  uscc?: string | null;
  label: string;
  at: Date;
}

/**
 * API keys. The secret is shown once, at creation; only its SHA-256 is kept
 * (the secret carries 256 random bits, so a plain hash is enough: there is
 * nothing to brute-force).
 */
export interface ApiKeyStore {
  create(q: Queryable, k: NewApiKey): Promise<{ apiKey: ApiKey; secret: string }>;
  /** The unrevoked key whose secret was presented, or null. */
  authenticate(q: Queryable, presentedSecret: string): Promise<ApiKey | null>;
  /** Returns false if there is no such unrevoked key. */
  revoke(q: Queryable, keyId: string, at: Date): Promise<boolean>;
  list(q: Queryable): Promise<ApiKey[]>;
}

/** Recognisable in logs and by secret scanners. */
export const API_KEY_PREFIX = 'elk_';
const SECRET_SHAPE = /^elk_[A-Za-z0-9_-]{43}$/;

interface ApiKeyRow {
  key_id: string;
  role: ApiKeyRole;
  uscc: string | null;
  label: string;
  created_at: unknown;
  revoked_at: unknown;
  secret_hash?: unknown;
}

const COLUMNS = 'key_id, role, uscc, label, created_at, revoked_at';

export class SqlApiKeyStore implements ApiKeyStore {
  constructor(private readonly random: (size: number) => Uint8Array = randomBytes) {}

  async create(q: Queryable, k: NewApiKey): Promise<{ apiKey: ApiKey; secret: string }> {
    const uscc = k.uscc ?? null;
    if (((k.role === 'issuer' || k.role === 'consumer') && uscc === null) || (k.role === 'region_admin' && uscc !== null)) {
      throw new ElicenseError('INPUT_MALFORMED', 'an issuer or consumer key needs a department; a region admin key has none', { role: k.role });
    }
    const secret = API_KEY_PREFIX + Buffer.from(this.random(32)).toString('base64url');
    const keyId = 'ak_' + Buffer.from(this.random(9)).toString('base64url');
    try {
      const [row] = await q.query<ApiKeyRow>(
        `INSERT INTO api_keys (key_id, secret_hash, role, uscc, label, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [keyId, hashSecret(secret), k.role, uscc, k.label, k.at.toISOString()],
      );
      return { apiKey: toApiKey(row!), secret };
    } catch (e) {
      if (sqlState(e) === FOREIGN_KEY_VIOLATION) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
      throw e;
    }
  }

  async authenticate(q: Queryable, presentedSecret: string): Promise<ApiKey | null> {
    if (!SECRET_SHAPE.test(presentedSecret)) return null;
    const hash = hashSecret(presentedSecret);
    const [row] = await q.query<ApiKeyRow>(`SELECT ${COLUMNS}, secret_hash FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL`, [hash]);
    // The lookup is by hash, so timing reveals nothing about the secret; compare once more in constant time anyway.
    if (!row || !timingSafeEqual(Buffer.from(asBytes(row.secret_hash)), hash)) return null;
    return toApiKey(row);
  }

  async revoke(q: Queryable, keyId: string, at: Date): Promise<boolean> {
    const rows = await q.query('UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL RETURNING key_id', [keyId, at.toISOString()]);
    return rows.length > 0;
  }

  async list(q: Queryable): Promise<ApiKey[]> {
    const rows = await q.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, key_id`);
    return rows.map(toApiKey);
  }
}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

function toApiKey(r: ApiKeyRow): ApiKey {
  return { keyId: r.key_id, role: r.role, uscc: r.uscc, label: r.label, createdAt: asDate(r.created_at), revokedAt: asOptionalDate(r.revoked_at) };
}
