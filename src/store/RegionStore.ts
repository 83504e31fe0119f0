import type { Queryable } from './Database';
import { asBytes, asDate, asNumber } from './rowValues';

export type RegionMode = 'demo' | 'production';

export interface RegionRecord {
  code: string;
  name: string;
  mode: RegionMode;
  /** DER of the pinned region root certificate (its key may be offline). */
  rootCertificate: Uint8Array;
  setUpAt: Date;
}

/**
 * The region this node serves: one row, written once when the region is set
 * up; its presence means "already set up". Also the trust-data version that
 * triggers bump on every change to departments, grants, keys or the region.
 */
export interface RegionStore {
  get(q: Queryable): Promise<RegionRecord | null>;
  /** Run under the set-up lock, after get() returned null. */
  create(q: Queryable, r: RegionRecord): Promise<void>;
  trustVersion(q: Queryable): Promise<number>;
}

interface RegionRow {
  code: string;
  name: string;
  mode: RegionMode;
  root_certificate: unknown;
  set_up_at: unknown;
}

export class SqlRegionStore implements RegionStore {
  async get(q: Queryable): Promise<RegionRecord | null> {
    const [row] = await q.query<RegionRow>('SELECT code, name, mode, root_certificate, set_up_at FROM region WHERE singleton');
    return row ? { code: row.code, name: row.name, mode: row.mode, rootCertificate: asBytes(row.root_certificate), setUpAt: asDate(row.set_up_at) } : null;
  }

  async create(q: Queryable, r: RegionRecord): Promise<void> {
    await q.query('INSERT INTO region (singleton, code, name, mode, root_certificate, set_up_at) VALUES (true, $1, $2, $3, $4, $5)', [
      r.code,
      r.name,
      r.mode,
      Buffer.from(r.rootCertificate),
      r.setUpAt.toISOString(),
    ]);
  }

  async trustVersion(q: Queryable): Promise<number> {
    const [row] = await q.query<{ version: unknown }>('SELECT version FROM trust_version WHERE singleton');
    return row ? asNumber(row.version) : 0;
  }
}
