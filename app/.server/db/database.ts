import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Dialect } from "../../../db/migrations/column-types.ts";
import type { Database } from "./schema.ts";
import { withStatementCache } from "./statement-cache.ts";
import { WalCheckpointer } from "./wal-checkpointer.ts";

export type { Dialect };

interface HandleBase {
  db: Kysely<Database>;
  /** Where it lives, for the start-up log (never with a password). */
  description: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * On SQLite the better-sqlite3 connection under Kysely is exposed for the one hot path that needs
 * it (bulk key import: a prepared statement per row is ~2× faster than building multi-row
 * queries). Use it only inside `db.connection().execute(…)`, which holds Kysely's single-connection
 * lock, so raw statements never land inside another caller's open transaction.
 */
export type DatabaseHandle = (HandleBase & { dialect: "sqlite"; sqlite: SQLite.Database }) | (HandleBase & { dialect: "postgres" });

// Postgres returns int8 and timestamptz in forms SQLite never does; read both back the same way
// so repositories see one shape on both dialects.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1184, (v) => new Date(v).toISOString());

export type DatabaseOptions =
  | { dialect: "sqlite"; file: string }
  | { dialect: "postgres"; url: string; poolSize?: number; searchPath?: string };

export function openDatabase(opts: DatabaseOptions): DatabaseHandle {
  if (opts.dialect === "sqlite") return openSqlite(opts.file);
  return openPostgres(opts.url, opts.poolSize ?? 10, opts.searchPath);
}

function openSqlite(file: string): DatabaseHandle {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const checkpointer = file === ":memory:" ? undefined : WalCheckpointer.start(sqlite, file);
  return {
    db,
    dialect: "sqlite",
    sqlite,
    description: `SQLite ${file}`,
    async ping() {
      sqlite.prepare("select 1").get();
    },
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

function openPostgres(url: string, poolSize: number, searchPath?: string): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    ...(searchPath ? { options: `-c search_path=${searchPath}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  // Nor one in use (a server restart, a killed session during a long import transaction): its
  // query or transaction fails with the error, and the pool drops the client when it is released.
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(url);
  safe.password = "";
  return {
    db,
    dialect: "postgres",
    description: `Postgres ${safe.host}${safe.pathname}${searchPath ? ` (schema ${searchPath})` : ""}`,
    async ping() {
      const c = await pool.connect();
      try {
        await c.query("select 1");
      } finally {
        c.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
