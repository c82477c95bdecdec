import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export type BenchDialect = "sqlite" | "postgres";

export interface FreshDatabase {
  dialect: BenchDialect;
  /** Environment for the app's processes (and for createServices in the bench). */
  env: Record<string, string>;
  dataDir: string;
  /** SQLite: the database file; Postgres: the schema. */
  sqliteFile?: string;
  pgUrl?: string;
  schema?: string;
  cleanup(): Promise<void>;
}

export function withSearchPath(url: string, schema: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/**
 * A new, empty database the way the integration tests make one: a new SQLite file in a temp
 * DATA_DIR, or a new schema (search_path) in the Postgres test database. The app's migrations
 * run when the first process opens it.
 */
export async function freshDatabase(dialect: BenchDialect, opts: { pgUrl: string; keep: boolean }): Promise<FreshDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-bench-allocate-"));
  const env: Record<string, string> = { DATA_DIR: dataDir };
  let schema: string | undefined;
  if (dialect === "postgres") {
    schema = `bench_alloc_${crypto.randomBytes(5).toString("hex")}`;
    const c = new pg.Client({ connectionString: opts.pgUrl });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    env.DATABASE_URL = withSearchPath(opts.pgUrl, schema);
    env.KEYRELAY_MASTER_KEY = crypto.randomBytes(32).toString("base64");
    env.SESSION_SECRET = crypto.randomBytes(32).toString("base64");
  }
  return {
    dialect,
    env,
    dataDir,
    sqliteFile: dialect === "sqlite" ? path.join(dataDir, "keyrelay.sqlite") : undefined,
    pgUrl: schema ? env.DATABASE_URL : undefined,
    schema,
    async cleanup() {
      if (opts.keep) return;
      if (schema) {
        const c = new pg.Client({ connectionString: opts.pgUrl });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
