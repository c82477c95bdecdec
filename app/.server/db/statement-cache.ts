import type SQLite from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import type { DbCounters } from "./db-counters.ts";

/**
 * Kysely's SQLite driver prepares every query afresh; under webhook load preparing was a sixth
 * of the app's CPU. This keeps the most recently used statements (bounded: `in (…)` lists of
 * varying length make many distinct texts). Streams get a statement of their own, because a
 * statement that is being iterated cannot run anything else until the iteration ends. Each call
 * into the library is counted in `counters.roundTrips` (SQLite's equivalent of a round trip).
 */
export function withStatementCache(sqlite: SQLite.Database, counters?: Pick<DbCounters, "roundTrips">, max = 512): SqliteDatabase {
  const c = counters ?? { roundTrips: 0 };
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) {
        // Map keeps insertion order: re-inserting marks it most recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = sqlite.prepare(sql);
      const cached: SqliteStatement = {
        reader: stmt.reader,
        all: (parameters) => (c.roundTrips++, stmt.all(parameters as unknown[])),
        run: (parameters) => (c.roundTrips++, stmt.run(parameters as unknown[])),
        iterate: (parameters) => (c.roundTrips++, sqlite.prepare(sql).iterate(parameters as unknown[])),
      };
      cache.set(sql, cached);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return cached;
    },
  };
}
