import SQLite from "better-sqlite3";
import pg from "pg";
import type { FreshDatabase } from "./fresh-database.ts";

/**
 * The bench's own read-only view of the app's database (SQLite: a second connection on the WAL
 * file; Postgres: one client on the schema), for progress polling and the final checks. Queries
 * are written with `?` placeholders; Postgres gets them numbered.
 */
export interface BenchDb {
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openBenchDb(db: FreshDatabase): Promise<BenchDb> {
  if (db.dialect === "sqlite") {
    const sqlite = new SQLite(db.sqliteFile!, { readonly: true, fileMustExist: true });
    sqlite.pragma("busy_timeout = 5000");
    return {
      async all<T>(sql: string, params: unknown[] = []) {
        return sqlite.prepare(sql).all(...params) as T[];
      },
      async close() {
        sqlite.close();
      },
    };
  }
  const c = new pg.Client({ connectionString: db.pgUrl });
  await c.connect();
  return {
    async all<T>(sql: string, params: unknown[] = []) {
      let i = 0;
      const r = await c.query(sql.replace(/\?/g, () => `$${++i}`), params);
      return r.rows as T[];
    },
    async close() {
      await c.end();
    },
  };
}

/** Epoch ms of a timestamp as either dialect returns it (ISO text, or a Date from pg). */
export const epochMs = (v: unknown): number => (v instanceof Date ? v.getTime() : Date.parse(String(v)));
export const num = (v: unknown): number => Number(v);
