import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { Writable } from "node:stream";
import { loadConfig } from "../../app/.server/config.ts";
import { createLogger } from "../../app/.server/logger.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import type { Services } from "../../app/.server/ports.ts";
import { testEnv } from "./environment.ts";

export type TestDialect = "sqlite" | "postgres";

export interface TestServices extends Services {
  /** Everything logged, one JSON line each: tests search it for secrets. */
  logLines: string[];
  dataDir: string;
  /** The environment these services were built from (to start a second process on the same data). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * Real services on a fresh database: a new SQLite file, or a new Postgres schema (search_path)
 * in the test database. `redis: true` switches jobs to BullMQ with its own key prefix.
 */
export async function makeServices(opts: {
  dialect: TestDialect;
  redis?: boolean;
  env?: Record<string, string>;
  startWorkers?: boolean;
}): Promise<TestServices> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-test-"));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: "debug",
    JOBS_SWEEP_INTERVAL_MS: "200",
    ...opts.env,
  };
  let schema: string | undefined;
  // Given a DATABASE_URL (another "process" of the same deployment), use that database as it is.
  if (opts.dialect === "postgres" && !opts.env?.DATABASE_URL) {
    schema = `t_${crypto.randomBytes(6).toString("hex")}`;
    const client = new pg.Client({ connectionString: testEnv.postgresUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
    const sep = testEnv.postgresUrl.includes("?") ? "&" : "?";
    env.DATABASE_URL = `${testEnv.postgresUrl}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }
  if (opts.dialect === "postgres") {
    // Shared by every "process" of one test deployment, as production requires.
    env.KEYRELAY_MASTER_KEY ??= crypto.randomBytes(32).toString("base64");
    env.SESSION_SECRET ??= crypto.randomBytes(32).toString("base64");
  }
  if (opts.redis) {
    env.REDIS_URL = testEnv.redisUrl;
    // Each test gets its own BullMQ key space, so leftover jobs never cross tests.
    env.JOBS_QUEUE_PREFIX ??= `keyrelay-test-${crypto.randomBytes(4).toString("hex")}`;
  }
  const config = loadConfig(env);
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(...chunk.toString().split("\n").filter(Boolean));
      cb();
    },
  });
  const log = createLogger({ level: "debug", destination: sink as never });
  const services = await createServices(config, { log });
  if (opts.startWorkers) await services.jobs.startWorkers();
  return Object.assign(services, {
    logLines,
    dataDir,
    env,
    async cleanup() {
      await services.close().catch(() => {});
      if (schema) {
        const client = new pg.Client({ connectionString: testEnv.postgresUrl });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, label = "condition"): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
