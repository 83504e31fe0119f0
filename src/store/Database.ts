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
   * True when this process is the only writer (the embedded database: its lock
   * file keeps other processes out), so every change is one this process made.
   * False for PostgreSQL, where other node processes write too.
   */
  readonly soleWriter: boolean;
  close(): Promise<void>;
}
