import type { Queryable } from './Database';

/** One signed request's identity: the peer region that vouches for it and its jti. */
export interface RequestNonce {
  region: string;
  jti: string;
  uscc: string;
  seenAt: Date;
  /** Until when the row must be kept: past it the request is refused as expired anyway. */
  keepUntil: Date;
}

/**
 * The jti of every signed request a department of a peer region made to this
 * node (migration 0011), shared by every process of the node, so a request is
 * taken once whichever process it reaches.
 */
export interface RequestNonceStore {
  /** Records the jti; false when it was recorded before (a replay). One statement: two concurrent takes cannot both win. */
  take(q: Queryable, nonce: RequestNonce): Promise<boolean>;
  /** Deletes rows no longer needed (keep_until before `at`); returns how many. */
  purge(q: Queryable, at: Date): Promise<number>;
}

export class SqlRequestNonceStore implements RequestNonceStore {
  async take(q: Queryable, n: RequestNonce): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO request_nonces (region, jti, uscc, seen_at, keep_until) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (region, jti) DO NOTHING RETURNING jti`,
      [n.region, n.jti, n.uscc, n.seenAt.toISOString(), n.keepUntil.toISOString()],
    );
    return rows.length === 1;
  }

  async purge(q: Queryable, at: Date): Promise<number> {
    const rows = await q.query('DELETE FROM request_nonces WHERE keep_until < $1 RETURNING jti', [at.toISOString()]);
    return rows.length;
  }
}
