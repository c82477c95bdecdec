import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { setImmediate as nextTurn } from "node:timers/promises";
import {
  CompiledQuery,
  DeleteQueryNode,
  InsertQueryNode,
  Kysely,
  MergeQueryNode,
  PostgresDialect,
  RawNode,
  SelectQueryNode,
  SqliteDialect,
  UpdateQueryNode,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
  type Driver,
  type OperationNode,
  type QueryResult,
} from "kysely";
import pg from "pg";
import type { Dialect } from "../../../db/migrations/column-types.ts";
import { newDbCounters, type DbCounters } from "./db-counters.ts";
import type { Database } from "./schema.ts";
import { withStatementCache } from "./statement-cache.ts";
import { WalCheckpointer } from "./wal-checkpointer.ts";

export type { Dialect };

interface HandleBase {
  db: Kysely<Database>;
  /** Where it lives, for the start-up log (never with a password). */
  description: string;
  /** Statements, commits and round trips of this handle so far (read by the metrics). */
  counters: DbCounters;
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
  /** `checkpointer: false` for a second connection in a process whose first one already checkpoints. */
  | { dialect: "sqlite"; file: string; checkpointer?: boolean }
  | { dialect: "postgres"; url: string; poolSize?: number; searchPath?: string };

export function openDatabase(opts: DatabaseOptions): DatabaseHandle {
  if (opts.dialect === "sqlite") return openSqlite(opts.file, opts.checkpointer ?? true);
  return openPostgres(opts.url, opts.poolSize ?? 10, opts.searchPath);
}

/**
 * Every SQLite connection of the app (and the benchmarks' raw limit, so it measures the same file
 * settings). WAL with synchronous=NORMAL: a commit is durable against a crash of the process, and
 * against power loss up to the last checkpoint. A 32 MB page cache, memory-mapped reads and
 * in-memory sort space: under webhook load reading pages through read(2) and sorting into temp
 * files were a tenth of the app's time.
 */
export const SQLITE_PRAGMAS = [
  "journal_mode = WAL",
  "busy_timeout = 5000",
  "foreign_keys = ON",
  "synchronous = NORMAL",
  "cache_size = -32000",
  "mmap_size = 268435456",
  "temp_store = MEMORY",
] as const;

function openSqlite(file: string, checkpoint: boolean): DatabaseHandle {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  for (const p of SQLITE_PRAGMAS) sqlite.pragma(p);
  const counters = newDbCounters();
  const db = new Kysely<Database>({ dialect: countingDialect(new LoopFriendlySqliteDialect({ database: withStatementCache(sqlite, counters) }), counters) });
  const checkpointer = file === ":memory:" || !checkpoint ? undefined : WalCheckpointer.start(sqlite, file);
  return {
    db,
    dialect: "sqlite",
    sqlite,
    description: `SQLite ${file}`,
    counters,
    async ping() {
      sqlite.prepare("select 1").get();
    },
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * better-sqlite3 is synchronous, so a chain of awaited queries never gives the event loop a turn:
 * a batch of orders ran as one 30–50 ms block, and a busy Node server admits one new connection per
 * turn, so a burst of webhooks on new connections queued for up to a second before being read.
 * This dialect lets the loop turn once before each query or transaction takes the connection (a
 * transaction still runs as one block, as SQLite's single writer wants).
 *
 * Transactions begin IMMEDIATE: they take the write lock at BEGIN, waiting (busy_timeout) for
 * another connection's write to finish. A deferred transaction that read first could not upgrade
 * to a writer once another connection (the job thread, the CLI) had committed since its read:
 * SQLite fails it with SQLITE_BUSY instead of waiting.
 */
class LoopFriendlySqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async () => {
      await nextTurn();
      return acquire();
    };
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw("begin immediate"));
    };
    return driver;
  }
}

/** Any dialect, its driver counted (countingDriver): one wrapper for SQLite and Postgres. */
function countingDialect(dialect: KyselyDialect, counters: DbCounters): KyselyDialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => countingDriver(dialect.createDriver(), counters),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

/** Whether a statement writes (then, outside a transaction, it commits on its own). */
function writes(node: OperationNode, sqlText: string): boolean {
  if (InsertQueryNode.is(node) || UpdateQueryNode.is(node) || DeleteQueryNode.is(node) || MergeQueryNode.is(node)) return true;
  if (SelectQueryNode.is(node)) return node.with?.expressions.some((cte) => writes(cte.expression, "")) ?? false;
  return RawNode.is(node) && /^\s*(insert|update|delete|merge|replace)\b/i.test(sqlText);
}

/**
 * Counts each statement a connection executes (transaction control included) and each commit:
 * a transaction's, and a write's outside any transaction (autocommit: a commit of its own).
 * A connection is wrapped once, the first time it is handed out (Kysely keeps one per pool client).
 */
function countingDriver(driver: Driver, counters: DbCounters): Driver {
  const wrapped = new WeakSet<DatabaseConnection>();
  const inTransaction = new WeakSet<DatabaseConnection>();
  const acquire = driver.acquireConnection.bind(driver);
  driver.acquireConnection = async () => {
    const connection = await acquire();
    if (!wrapped.has(connection)) {
      wrapped.add(connection);
      const execute = connection.executeQuery.bind(connection);
      const stream = connection.streamQuery.bind(connection);
      connection.executeQuery = <R>(query: CompiledQuery, ...rest: unknown[]) => {
        counters.statements++;
        const result = (execute as (q: CompiledQuery, ...r: unknown[]) => Promise<QueryResult<R>>)(query, ...rest);
        // No extra promise on the common path: only a write outside a transaction waits for its commit.
        if (inTransaction.has(connection) || !writes(query.query, query.sql)) return result;
        return result.then((r) => (counters.transactions++, r));
      };
      connection.streamQuery = (...args) => (counters.statements++, stream(...args));
    }
    return connection;
  };
  const begin = driver.beginTransaction.bind(driver);
  driver.beginTransaction = async (connection, settings) => {
    await begin(connection, settings);
    inTransaction.add(connection);
  };
  const commit = driver.commitTransaction.bind(driver);
  driver.commitTransaction = async (connection) => {
    try {
      await commit(connection);
      counters.transactions++;
    } finally {
      inTransaction.delete(connection);
    }
  };
  const rollback = driver.rollbackTransaction.bind(driver);
  driver.rollbackTransaction = async (connection) => {
    try {
      await rollback(connection);
    } finally {
      inTransaction.delete(connection);
    }
  };
  return driver;
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
  // Round trips are counted where they leave: every query a pool client sends (Kysely's and any other).
  const counters = newDbCounters();
  pool.on("connect", (client) => {
    const query = client.query;
    client.query = function (this: pg.PoolClient, ...args: unknown[]) {
      counters.roundTrips++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof client.query;
  });
  const db = new Kysely<Database>({ dialect: countingDialect(new PostgresDialect({ pool }), counters) });
  const safe = new URL(url);
  safe.password = "";
  return {
    db,
    dialect: "postgres",
    description: `Postgres ${safe.host}${safe.pathname}${searchPath ? ` (schema ${searchPath})` : ""}`,
    counters,
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
