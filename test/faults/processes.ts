import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../support/free-port.ts";
import { waitFor } from "../support/test-services.ts";

/**
 * The processes a fault scenario starts and stops: keyrelay itself (scripts/start.ts, with the
 * flags of `npm start` / `start:web` / `start:worker`), a private redis-server and a private
 * PostgreSQL cluster. The machine's shared Postgres (5432) and Redis (6379) are never touched:
 * the suite stops and restarts its own.
 */

const START = path.resolve("scripts/start.ts");
// The V8 flags of package.json's start scripts, so the processes are the ones `npm start` runs.
const NODE_FLAGS = ["--max-semi-space-size=4", "--max-old-space-size=512"];
/** Variables of the test runner's own environment that must not leak into the app's. */
const STRAY = ["DATABASE_URL", "REDIS_URL", "SMTP_URL", "PORT", "HOST", "APP_URL", "KEYRELAY_MASTER_KEY", "SESSION_SECRET", "METRICS_PORT", "METRICS_TOKEN", "BACKUP_DIR", "BACKUP_INTERVAL_HOURS"];

export type Role = "all" | "web" | "worker";

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves once the process is gone (exit code or signal). */
  closed: Promise<void>;
}

/** Children still alive, killed by `killAll` in an afterEach so a failed test leaves nothing behind. */
const alive = new Set<ChildProcess>();

function track(child: ChildProcess, logFile?: string): Spawned {
  alive.add(child);
  let out = "";
  const sink = logFile ? fs.createWriteStream(logFile, { flags: "a" }) : undefined;
  const add = (d: Buffer) => {
    out += d.toString("utf8");
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    sink?.write(d);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  const closed = new Promise<void>((resolve) =>
    child.once("close", () => {
      alive.delete(child);
      sink?.end();
      resolve();
    }),
  );
  return { child, output: () => out, closed };
}

export function killAll(): void {
  for (const c of alive) c.kill("SIGKILL");
}

/** SIGKILL (kill -9) and wait until the process is gone. */
export async function kill9(p: Spawned): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await p.closed;
}

/** keyrelay in one role, ready: the HTTP server listens (all, web) or the workers are started (worker). */
export async function startKeyrelay(role: Role, env: Record<string, string>, logFile: string): Promise<Spawned> {
  const base: NodeJS.ProcessEnv = { ...process.env, LANG: "C.UTF-8" };
  for (const v of STRAY) delete base[v];
  const child = spawn(process.execPath, [...NODE_FLAGS, START, ...(role === "all" ? [] : [`--role=${role}`])], {
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  fs.appendFileSync(logFile, `\n===== start ${role} (pid ${child.pid}) at ${new Date().toISOString()}\n`);
  const p = track(child, logFile);
  // Up to three minutes: start.ts builds the app first when the build is missing or stale.
  const ready = role === "worker" ? /"msg":"mail: / : /is listening on/;
  await waitFor(
    async () => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`keyrelay (${role}) exited during start-up:\n${p.output().slice(-4000)}`);
      return ready.test(p.output());
    },
    180_000,
    `keyrelay --role=${role} to be ready`,
  );
  return p;
}

// ---- Redis ----

export interface PrivateRedis {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A redis-server of our own on a free port, without persistence: stopping it loses its data, as a crash would. */
export async function startPrivateRedis(dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: Spawned | undefined;
  const start = async () => {
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
    proc = track(child, path.join(dir, "redis.log"));
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited:\n${proc!.output()}`);
      return /Ready to accept connections/.test(proc!.output());
    }, 20_000, "redis-server to accept connections");
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      if (!proc) return;
      proc.child.kill("SIGTERM");
      await proc.closed;
      proc = undefined;
    },
  };
}

// ---- PostgreSQL ----

export interface PrivateCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/<database> */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** pg_ctl stop -m fast: every session is terminated (57P01), new connections are refused. */
  stop(): void;
  start(): void;
  destroy(): void;
}

function pgBin(name: string): string {
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = path.join(base, v, "bin", name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${name} not found under ${base}/*/bin: the fault suite needs the PostgreSQL server package (postgresql)`);
}

/**
 * A PostgreSQL cluster of our own (initdb + pg_ctl) in a temp directory on a free port, so the
 * "database restarted" fault restarts a real server without touching the machine's shared one.
 * PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
 */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-faults-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) spawnSync("chown", ["postgres", dir]);
  const run = (bin: string, args: string[]) => {
    const cmd = asRoot ? "runuser" : pgBin(bin);
    const argv = asRoot ? ["-u", "postgres", "--", pgBin(bin), ...args] : args;
    const r = spawnSync(cmd, argv, { encoding: "utf8", cwd: dir });
    if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  };
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--locale=C"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  const start = () => run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "postgres.log"), "-w", "-t", "60", "start"]);
  const stop = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
  start();
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
    },
    stop,
    start,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
