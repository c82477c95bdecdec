import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.ts";
import { migrations } from "../../db/migrations/index.ts";

const ALL_MIGRATIONS = Object.keys(migrations);

const START = path.resolve("scripts/start.ts");
const SERVER_BUILD = path.resolve("build/server/index.js");
const STRAY_VARIABLES = ["DATABASE_URL", "REDIS_URL", "SMTP_URL", "PORT", "HOST", "APP_URL", "KEYRELAY_MASTER_KEY", "SESSION_SECRET"];

let dataDir: string;

interface Started {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal), or rejects after `timeoutMs` (the process is then killed). */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when `pattern` appears in stdout or stderr; rejects after `timeoutMs` or if the process exits first. */
  waitForOutput(pattern: RegExp | string, timeoutMs: number): Promise<void>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

function start(args: string[], env: Record<string, string> = {}): Started {
  const base: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "info", LANG: "C.UTF-8" };
  for (const v of STRAY_VARIABLES) delete base[v];
  // process.execPath inside vitest is the pinned Node 24, which runs the .ts entry point directly.
  const child = spawn(process.execPath, [START, ...args], { env: { ...base, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let err = "";
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    notify();
  });
  child.on("close", (code, signal) => {
    exit = { code, signal };
    running.delete(child);
    notify();
  });
  const describeOutput = () => `\nstdout:\n${out}\nstderr:\n${err}`;
  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describeOutput()}`));
      }, timeoutMs);
      const listener = () => {
        let v: T | undefined;
        try {
          v = check();
        } catch (e) {
          clearTimeout(timer);
          listeners.delete(listener);
          reject(e);
          return;
        }
        if (v !== undefined) {
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(v);
        }
      };
      listeners.add(listener);
      listener();
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: (timeoutMs) => until(() => exit, timeoutMs, "the process to exit"),
    waitForOutput: async (pattern, timeoutMs) => {
      await until(
        () => {
          const text = out + err;
          if (typeof pattern === "string" ? text.includes(pattern) : pattern.test(text)) return true;
          if (exit) throw new Error(`the process exited (${exit.code ?? exit.signal}) before printing ${pattern}${describeOutput()}`);
          return undefined;
        },
        timeoutMs,
        String(pattern),
      );
    },
  };
}

/** The JSON log lines (pino) on stdout. */
function logLines(s: Started): { level: number; msg: string; [k: string]: unknown }[] {
  return s
    .stdout()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}


beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-start-"));
});

afterEach(() => {
  // A failed assertion must not leave a server behind.
  for (const child of running) child.kill("SIGKILL");
});

afterAll(() => {
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("scripts/start.ts", () => {
  it("a bad DATABASE_URL stops start-up at once, naming the variable", async () => {
    const started = Date.now();
    const p = start(["--role=worker"], { DATABASE_URL: "mysql://x" });
    const { code } = await p.exited(15_000);
    expect(code).toBe(1);
    expect(p.stderr()).toContain("Invalid configuration:");
    expect(p.stderr()).toContain("DATABASE_URL: must start with postgres://, postgresql://, file: or sqlite:");
    expect(Date.now() - started).toBeLessThan(15_000);
    // Nothing was created: configuration is checked before anything touches the data folder.
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it("a bad number (PORT=abc) names PORT", async () => {
    const p = start(["--role=worker"], { PORT: "abc" });
    const { code } = await p.exited(15_000);
    expect(code).toBe(1);
    expect(p.stderr()).toMatch(/^\s+PORT: /m);
  });

  it("--role=bogus exits 2", async () => {
    const p = start(["--role=bogus"]);
    const { code } = await p.exited(15_000);
    expect(code).toBe(2);
    expect(p.stderr()).toContain("--role must be all, web or worker (got bogus)");
  });

  it("--role=worker starts the in-process jobs, keeps running, and shuts down cleanly on SIGTERM", async () => {
    const p = start(["--role=worker"]);
    await p.waitForOutput("jobs: in-process", 20_000);
    await p.waitForOutput("mail: files in", 5_000);
    const lines = logLines(p);
    const dbLine = lines.find((l) => l.msg.startsWith("database: "));
    expect(dbLine).toMatchObject({ role: "worker", migrationsApplied: ALL_MIGRATIONS });
    expect(dbLine!.msg).toContain(path.join(dataDir, "keyrelay.sqlite"));
    expect(lines.map((l) => l.msg)).toContain(`master key: ${path.join(dataDir, "master.key")} (mode 0600)`);
    expect(lines.map((l) => l.msg)).toContain(`mail: files in ${path.join(dataDir, "outbox")}`);
    expect(lines.some((l) => l.msg.includes("listening"))).toBe(false);
    expect(fs.statSync(path.join(dataDir, "master.key")).mode & 0o777).toBe(0o600);

    // Still up a moment later: the worker does not exit on its own.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(p.child.exitCode, `the worker exited on its own${"\n"}stdout:${"\n"}${p.stdout()}`).toBeNull();
    expect(p.child.signalCode).toBeNull();

    const sent = Date.now();
    p.child.kill("SIGTERM");
    const { code, signal } = await p.exited(10_000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(p.stderr()).toBe("");
  });

  it("--role=worker with METRICS_PORT serves its own /metrics on 127.0.0.1 (the worker has no other HTTP server)", async () => {
    const port = await freePort();
    const p = start(["--role=worker"], { METRICS_PORT: String(port) });
    try {
      await p.waitForOutput(`metrics: http://127.0.0.1:${port}/metrics`, 20_000);
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(r.status).toBe(200);
      const body = await r.text();
      expect(body).toContain("# TYPE keyrelay_job_failures_total counter");
      expect(body).toContain("# TYPE process_cpu_user_seconds_total counter");
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited(10_000);
    }
  });

  it("a second start on the same data applies no migrations", async () => {
    const p = start(["--role=worker"]);
    await p.waitForOutput("jobs: in-process", 20_000);
    expect(logLines(p).find((l) => l.msg.startsWith("database: "))).toMatchObject({ migrationsApplied: [] });
    p.child.kill("SIGINT");
    const { code } = await p.exited(10_000);
    expect(code).toBe(0);
  });
});

// The web roles serve the production build; `npm test` builds it first (start.ts rebuilds a stale one).
describe.skipIf(!fs.existsSync(SERVER_BUILD))("scripts/start.ts serving HTTP", () => {
  it("role all serves /healthz and /readyz with 200, then shuts down on SIGTERM", { timeout: 180_000 }, async () => {
    const port = await freePort();
    const token = "startup-metrics-token-0123456789";
    const p = start([], { PORT: String(port), HOST: "127.0.0.1", METRICS_TOKEN: token });
    // Up to two minutes: start.ts rebuilds first when the build is older than the sources.
    await p.waitForOutput(`bound to 127.0.0.1:${port}`, 120_000);
    expect(p.stdout()).toContain("jobs: in-process");

    const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(10_000) });
    expect(health.status).toBe(200);
    expect(health.headers.get("cache-control")).toBe("no-store");
    expect(await health.json()).toEqual({ status: "ok" });

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(10_000) });
    const readyBody = await ready.json();
    expect(ready.status, JSON.stringify(readyBody)).toBe(200);
    expect(readyBody).toMatchObject({ ready: true });

    // Metrics (METRICS_TOKEN): the main thread's registry with the job thread's counters summed in.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) })).status).toBe(401);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    expect(metrics.status).toBe(200);
    const exposition = await metrics.text();
    expect(exposition).toContain("# TYPE keyrelay_emails_sent_total counter");
    expect(exposition).toContain("# TYPE keyrelay_pool_available_keys gauge");
    expect(exposition).toContain("# TYPE process_resident_memory_bytes gauge");
    expect(exposition.match(/^# TYPE keyrelay_orders_delivered_total /gm)).toHaveLength(1);

    p.child.kill("SIGTERM");
    const { code, signal } = await p.exited(10_000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await expect(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  });

  it("--role=web on a port already in use exits 1", { timeout: 180_000 }, async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const { port } = blocker.address() as AddressInfo;
    try {
      const p = start(["--role=web"], { PORT: String(port), HOST: "127.0.0.1" });
      const { code } = await p.exited(120_000);
      expect(code).toBe(1);
      expect(p.stdout()).toContain("could not start the HTTP server");
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
