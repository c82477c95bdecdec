/**
 * What this process's database connection has cost so far, as plain integers: incremented on the
 * hot path (one add per statement) and read when Prometheus scrapes (keyrelay_db_*_total), so the
 * cost per order can be measured from the running app (bench/allocate's "cost per order").
 */
export interface DbCounters {
  /** SQL statements Kysely executed, `begin`/`commit`/`rollback` included. */
  statements: number;
  /** Commits: of transactions, and of writes outside one (each autocommits). */
  transactions: number;
  /**
   * Calls that reached the database: on Postgres each `query` sent to the server by a pool client
   * (a request and its answer), on SQLite each call into better-sqlite3 (run, all, iterate).
   */
  roundTrips: number;
}

export const newDbCounters = (): DbCounters => ({ statements: 0, transactions: 0, roundTrips: 0 });
