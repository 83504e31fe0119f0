import { createHash } from 'node:crypto';
import type { Queryable } from './Database';
import { asBytes, asDate } from './rowValues';

/** The served forms of a licence beside its JSON full form (GET /v1/licenses/{id}.<form>). */
export type LicenseFormKind = 'pdf' | 'qr.png' | 'qr.svg' | 'qr.txt';

/** One stored form: per licence, the key that signed the licence (and so the form), and the form kind. */
export interface LicenseFormKey {
  identifier: string;
  keyId: string;
  form: LicenseFormKind;
}

export interface NewLicenseForm extends LicenseFormKey {
  contentType: string;
  body: Uint8Array;
  at: Date;
}

export interface StoredLicenseForm extends LicenseFormKey {
  contentType: string;
  body: Uint8Array;
  /** SHA-256 of body, lowercase hex (the strong ETag). */
  sha256: string;
  createdAt: Date;
}

/**
 * The rendered and signed forms of licences, written once and then served
 * byte for byte (docs/adr/0004, "Serving"). Rows are never updated: a form
 * is keyed by the licence's signing key, which never changes for a licence.
 */
export interface LicenseFormStore {
  get(q: Queryable, key: LicenseFormKey): Promise<StoredLicenseForm | undefined>;
  /**
   * Holds a transaction-scoped lock on one form (identifier, key, form) until
   * commit or rollback: the first render of a form runs under it, so a second
   * request for the same form waits and then finds the stored one.
   */
  lock(tx: Queryable, key: LicenseFormKey): Promise<void>;
  /**
   * Stores the form unless one is stored already (INSERT … ON CONFLICT DO
   * NOTHING, then a re-read): either way the answer is the stored row, which
   * every reader is served; `inserted` says whether it is this one.
   */
  insert(q: Queryable, form: NewLicenseForm): Promise<{ stored: StoredLicenseForm; inserted: boolean }>;
}

interface FormRow {
  identifier: string;
  key_id: string;
  form: LicenseFormKind;
  content_type: string;
  body: unknown;
  sha256: string;
  created_at: unknown;
}

const COLUMNS = 'identifier, key_id, form, content_type, body, sha256, created_at';

export class SqlLicenseFormStore implements LicenseFormStore {
  async get(q: Queryable, key: LicenseFormKey): Promise<StoredLicenseForm | undefined> {
    const [row] = await q.query<FormRow>(`SELECT ${COLUMNS} FROM licence_forms WHERE identifier = $1 AND key_id = $2 AND form = $3`, [key.identifier, key.keyId, key.form]);
    return row ? fromRow(row) : undefined;
  }

  async lock(tx: Queryable, key: LicenseFormKey): Promise<void> {
    // A 64-bit hash of the key: a collision only makes two unrelated first renders wait for each other.
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('licence_forms' || chr(10) || $1 || chr(10) || $2 || chr(10) || $3, 0))", [key.identifier, key.keyId, key.form]);
  }

  async insert(q: Queryable, f: NewLicenseForm): Promise<{ stored: StoredLicenseForm; inserted: boolean }> {
    const sha256 = createHash('sha256').update(f.body).digest('hex');
    const [row] = await q.query<FormRow>(
      `INSERT INTO licence_forms (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (identifier, key_id, form) DO NOTHING RETURNING ${COLUMNS}`,
      [f.identifier, f.keyId, f.form, f.contentType, Buffer.from(f.body), sha256, f.at.toISOString()],
    );
    if (row) return { stored: fromRow(row), inserted: true };
    // Another request stored this form first: its row is the one every reader is served.
    const stored = await this.get(q, f);
    if (!stored) throw new Error(`licence form ${f.form} of ${f.identifier} vanished after its insert`);
    return { stored, inserted: false };
  }
}

function fromRow(r: FormRow): StoredLicenseForm {
  return {
    identifier: r.identifier,
    keyId: r.key_id,
    form: r.form,
    contentType: r.content_type,
    body: asBytes(r.body),
    sha256: r.sha256,
    createdAt: asDate(r.created_at),
  };
}
