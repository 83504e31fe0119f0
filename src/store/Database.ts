/**
 * The narrow database interface every store is written against. Two
 * implementations run the same SQL: PostgresDatabase (a server, several
 * processes) and EmbeddedDatabase (PGlite in a data directory, one process).
 *
 * Parameter-less queries use PostgreSQL's simple protocol on both (so a
 * migration may hold several statements); queries with parameters use the
 * extended protocol and must be a single statement.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export type DatabaseKind = 'postgres' | 'embedded';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Runs `fn` in one transaction (READ COMMITTED), committing when it
   * resolves and rolling back when it throws. `fn` may be run again after a
   * serialization failure or deadlock, so it must not have effects outside
   * the database. Inside `fn` use only `tx`, never the Database itself (the
   * embedded database has a single connection, held by the transaction).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Tells `onChange` when another process may have changed data announced on
   * `channel` (PostgreSQL LISTEN/NOTIFY; the trigger sends the NOTIFY at
   * commit). `onChange` is also called when the listening connection breaks,
   * and `connected()` is false until it is back: callers must then not rely on
   * being told. The embedded database is single-process (its lock file keeps
   * other processes out), so there is nothing to listen to and it is always
   * "connected".
   */
  listen(channel: string, onChange: () => void): Promise<ChangeListener>;
  close(): Promise<void>;
}

export interface ChangeListener {
  connected(): boolean;
  close(): Promise<void>;
}
