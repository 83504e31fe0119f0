import { ElicenseError } from '../errors';
import type { Queryable } from './Database';
import { asBytes, asDate } from './rowValues';
import { FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION, sqlState } from './sqlState';

/** What a key signs. Licence-signing keys belong to a department; the others to the region (uscc null). */
export type KeyPurpose = 'licence_signing' | 'timestamping' | 'trust_list_signing' | 'certificate_signing';
export type SigningKeyState = 'active' | 'retired' | 'withdrawn';

export interface SigningKeyRecord {
  keyId: string;
  uscc: string | null;
  purpose: KeyPurpose;
  algorithm: string;
  /** DER of the key's certificate. */
  certificate: Uint8Array;
  /** DER of the issuing chain, leaf's issuer first. */
  chain: Uint8Array[];
  /** KeyVault-sealed PKCS#8: never the clear key. */
  encryptedPrivateKey: Uint8Array;
  state: SigningKeyState;
  stateSince: Date;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
}

export type NewSigningKey = Omit<SigningKeyRecord, 'state' | 'stateSince' | 'createdAt'> & { at: Date };

export interface ActiveKeyQuery {
  uscc: string | null;
  purpose: KeyPurpose;
  algorithm?: string;
  /** Only a key whose certificate is valid at this time. */
  at: Date;
}

/**
 * Signing keys with their certificates. At most one active key per owner,
 * purpose and algorithm: rotation retires the old key and inserts the new one
 * in one transaction.
 */
export interface SigningKeyStore {
  /** Inserts an active key; SIGNING_KEY_STATE_CONFLICT if one is already active for the same use. */
  insert(q: Queryable, k: NewSigningKey): Promise<SigningKeyRecord>;
  get(q: Queryable, keyId: string): Promise<SigningKeyRecord | null>;
  findActive(q: Queryable, query: ActiveKeyQuery): Promise<SigningKeyRecord | null>;
  /** All keys of a department (or of the region, uscc null), newest first. */
  listFor(q: Queryable, uscc: string | null): Promise<SigningKeyRecord[]>;
  /** Every key of the region, departments' and the region's own, newest first per owner (one query however many departments). */
  listAll(q: Queryable): Promise<SigningKeyRecord[]>;
  /** active → retired | withdrawn, retired → withdrawn. Anything else: SIGNING_KEY_STATE_CONFLICT. Run in a transaction. */
  changeState(q: Queryable, keyId: string, to: SigningKeyState, at: Date): Promise<SigningKeyRecord>;
}

const ALLOWED: Record<SigningKeyState, readonly SigningKeyState[]> = {
  active: ['retired', 'withdrawn'],
  retired: ['withdrawn'],
  withdrawn: [],
};

const COLUMNS = 'key_id, uscc, purpose, algorithm, certificate, chain, encrypted_private_key, state, state_since, not_before, not_after, created_at';

interface SigningKeyRow {
  key_id: string;
  uscc: string | null;
  purpose: KeyPurpose;
  algorithm: string;
  certificate: unknown;
  chain: unknown[];
  encrypted_private_key: unknown;
  state: SigningKeyState;
  state_since: unknown;
  not_before: unknown;
  not_after: unknown;
  created_at: unknown;
}

export class SqlSigningKeyStore implements SigningKeyStore {
  async insert(q: Queryable, k: NewSigningKey): Promise<SigningKeyRecord> {
    try {
      const [row] = await q.query<SigningKeyRow>(
        `INSERT INTO signing_keys (key_id, uscc, purpose, algorithm, certificate, chain, encrypted_private_key, state, state_since, not_before, not_after, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $8) RETURNING ${COLUMNS}`,
        [
          k.keyId,
          k.uscc,
          k.purpose,
          k.algorithm,
          Buffer.from(k.certificate),
          k.chain.map((c) => Buffer.from(c)),
          Buffer.from(k.encryptedPrivateKey),
          k.at.toISOString(),
          k.notBefore.toISOString(),
          k.notAfter.toISOString(),
        ],
      );
      return toRecord(row!);
    } catch (e) {
      const state = sqlState(e);
      if (state === UNIQUE_VIOLATION) {
        throw new ElicenseError('SIGNING_KEY_STATE_CONFLICT', 'the key id is taken or an active key already exists for this use; retire it first', {
          keyId: k.keyId,
          purpose: k.purpose,
        });
      }
      if (state === FOREIGN_KEY_VIOLATION) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc: k.uscc });
      throw e;
    }
  }

  async get(q: Queryable, keyId: string): Promise<SigningKeyRecord | null> {
    const [row] = await q.query<SigningKeyRow>(`SELECT ${COLUMNS} FROM signing_keys WHERE key_id = $1`, [keyId]);
    return row ? toRecord(row) : null;
  }

  async findActive(q: Queryable, query: ActiveKeyQuery): Promise<SigningKeyRecord | null> {
    const [row] = await q.query<SigningKeyRow>(
      `SELECT ${COLUMNS} FROM signing_keys
       WHERE uscc IS NOT DISTINCT FROM $1 AND purpose = $2 AND ($3::text IS NULL OR algorithm = $3)
         AND state = 'active' AND not_before <= $4 AND $4 < not_after
       ORDER BY not_before DESC, key_id LIMIT 1`,
      [query.uscc, query.purpose, query.algorithm ?? null, query.at.toISOString()],
    );
    return row ? toRecord(row) : null;
  }

  async listFor(q: Queryable, uscc: string | null): Promise<SigningKeyRecord[]> {
    const rows = await q.query<SigningKeyRow>(`SELECT ${COLUMNS} FROM signing_keys WHERE uscc IS NOT DISTINCT FROM $1 ORDER BY created_at DESC, key_id`, [uscc]);
    return rows.map(toRecord);
  }

  async listAll(q: Queryable): Promise<SigningKeyRecord[]> {
    const rows = await q.query<SigningKeyRow>(`SELECT ${COLUMNS} FROM signing_keys ORDER BY uscc NULLS FIRST, created_at DESC, key_id`);
    return rows.map(toRecord);
  }

  async changeState(q: Queryable, keyId: string, to: SigningKeyState, at: Date): Promise<SigningKeyRecord> {
    const [current] = await q.query<{ state: SigningKeyState }>('SELECT state FROM signing_keys WHERE key_id = $1 FOR UPDATE', [keyId]);
    if (!current) throw new ElicenseError('SIGNING_KEY_NOT_FOUND', 'no such signing key', { keyId });
    if (!ALLOWED[current.state].includes(to)) {
      throw new ElicenseError('SIGNING_KEY_STATE_CONFLICT', `a ${current.state} key cannot become ${to}`, { keyId, from: current.state, to });
    }
    const [row] = await q.query<SigningKeyRow>(`UPDATE signing_keys SET state = $2, state_since = $3 WHERE key_id = $1 RETURNING ${COLUMNS}`, [
      keyId,
      to,
      at.toISOString(),
    ]);
    return toRecord(row!);
  }
}

function toRecord(r: SigningKeyRow): SigningKeyRecord {
  return {
    keyId: r.key_id,
    uscc: r.uscc,
    purpose: r.purpose,
    algorithm: r.algorithm,
    certificate: asBytes(r.certificate),
    chain: r.chain.map(asBytes),
    encryptedPrivateKey: asBytes(r.encrypted_private_key),
    state: r.state,
    stateSince: asDate(r.state_since),
    notBefore: asDate(r.not_before),
    notAfter: asDate(r.not_after),
    createdAt: asDate(r.created_at),
  };
}
