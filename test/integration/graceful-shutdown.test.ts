import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.ts";
import type { ResellerCaller } from "../../app/.server/use-cases/authenticate-reseller.ts";
import { emitResellerEvent } from "../../app/.server/use-cases/emit-reseller-event.ts";
import { createWebhookEndpoint } from "../../app/.server/use-cases/manage-webhook-endpoints.ts";
import { makeReseller } from "../support/reseller-fixtures.ts";
import { postgresAvailable, redisAvailable } from "../support/services-available.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

/**
 * Graceful shutdown against the app as deployed (scripts/start.ts): /readyz flips to 503 at once
 * while requests are still served for the drain period; a slow job in hand finishes; a job past
 * the limit is released and done by the next start exactly once.
 */
const START = path.resolve("scripts/start.ts");
const running = new Set<ChildProcessWithoutNullStreams>();

afterEach(() => {
  for (const c of running) c.kill("SIGKILL");
});

function start(env: Record<string, string>) {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "info", LANG: "C.UTF-8" };
  for (const v of ["DATABASE_URL", "REDIS_URL", "SMTP_URL", "PORT", "HOST", "APP_URL", "KEYRELAY_MASTER_KEY", "SESSION_SECRET", "JOBS_QUEUE_PREFIX"]) delete base[v];
  const child = spawn(process.execPath, [START], { env: { ...base, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.on("close", (code, signal) => {
    exit = { code, signal };
    running.delete(child);
  });
  return {
    child,
    output: () => out,
    waitFor: (pattern: string, timeoutMs = 30_000) =>
      waitFor(async () => {
        if (out.includes(pattern)) return true;
        if (exit) throw new Error(`exited (${exit.code ?? exit.signal}) before printing ${pattern}\n${out}`);
        return false;
      }, timeoutMs, `${pattern}\n${out}`),
    exited: (timeoutMs = 40_000) => waitFor(async () => exit, timeoutMs, `the process to exit\n${out}`),
  };
}


/** A reseller endpoint that holds each request until `release()` (or answers at once when `hold` is false). */
async function startReceiver() {
  const held: http.ServerResponse[] = [];
  const state = { hold: true, received: 0, answered: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      state.received++;
      if (state.hold) held.push(res);
      else {
        state.answered++;
        res.end("ok");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    state,
    release() {
      state.hold = false;
      for (const res of held.splice(0)) {
        state.answered++;
        res.end("ok");
      }
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A database with one reseller-webhook job waiting (its delivery goes to `url`), and the environment to start the app on it. */
async function deploymentWithOneJob(kind: "sqlite" | "postgres+redis", url: string) {
  const s: TestServices = await makeServices({ dialect: kind === "sqlite" ? "sqlite" : "postgres", redis: kind !== "sqlite", env: { RESELLER_WEBHOOKS_ALLOW_HTTP: "on" } });
  const r = await makeReseller(s, { prefix: `GS${kind.slice(0, 2).toUpperCase()}` });
  const reseller = await s.db.selectFrom("resellers").selectAll().where("id", "=", r.resellerId).executeTakeFirstOrThrow();
  const caller = { reseller, tokenId: null, mode: "live" } as unknown as ResellerCaller;
  await createWebhookEndpoint(s, caller, { url, events: ["order.fulfilled"] }, null);
  const staged = await emitResellerEvent(s, s.db, { accountId: r.accountId, resellerId: r.resellerId, type: "order.fulfilled", data: { order: "o_1" }, now: new Date().toISOString() });
  expect(staged).toHaveLength(1);
  // The services only prepared the data: the app under test is the spawned process.
  await s.jobs.stop();
  return { s, jobId: staged[0].id };
}

const kinds = [
  { kind: "sqlite" as const, available: true },
  { kind: "postgres+redis" as const, available: postgresAvailable && redisAvailable },
];

// Each test starts the app once or twice (a few seconds each on a loaded machine).
describe("graceful shutdown (scripts/start.ts)", { timeout: 120_000 }, () => {
  it("SIGTERM: /readyz answers 503 draining at once, /healthz is still served during the drain, then no new connection is taken", async () => {
    const receiver = await startReceiver();
    const { s } = await deploymentWithOneJob("sqlite", receiver.url);
    try {
      const port = await freePort();
      const p = start({ ...s.env, PORT: String(port), HOST: "127.0.0.1", SHUTDOWN_DRAIN_SECONDS: "30", SHUTDOWN_JOBS_SECONDS: "1" });
      await p.waitFor("keyrelay is listening");
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      p.child.kill("SIGTERM");
      await p.waitFor("shutting down: /readyz answers 503 (draining)");
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, reason: "draining" });
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      // Still draining (30 s): the process has not stopped taking connections.
      expect(p.output()).not.toContain("drained");
      p.child.kill("SIGKILL");
      await p.exited();
    } finally {
      await receiver.close();
      await s.cleanup();
    }
  });

  it("after the drain the listener is closed: a webhook is refused (the host retries it), never acknowledged", async () => {
    const receiver = await startReceiver();
    receiver.state.hold = false;
    const { s } = await deploymentWithOneJob("sqlite", receiver.url);
    try {
      const port = await freePort();
      const p = start({ ...s.env, PORT: String(port), HOST: "127.0.0.1", SHUTDOWN_DRAIN_SECONDS: "0", SHUTDOWN_JOBS_SECONDS: "1" });
      await p.waitFor("keyrelay is listening");
      const before = await s.db.selectFrom("webhook_events").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      p.child.kill("SIGTERM");
      await p.waitFor("drained: no new connections are taken");
      await expect(fetch(`http://127.0.0.1:${port}/webhooks/shopify`, { method: "POST", body: "{}" })).rejects.toThrow();
      expect(await p.exited()).toEqual({ code: 0, signal: null });
      const after = await s.db.selectFrom("webhook_events").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    } finally {
      await receiver.close();
      await s.cleanup();
    }
  });

  it.skipIf(!(postgresAvailable && redisAvailable))("Postgres + BullMQ: a job released by a stopping process is taken by another worker at once (not by its sweeper)", async () => {
    const receiver = await startReceiver();
    const { s, jobId } = await deploymentWithOneJob("postgres+redis", receiver.url);
    try {
      // Sweeps only at start: a pick-up by the second worker within the test can only be the re-trigger.
      const env = { ...s.env, JOBS_SWEEP_INTERVAL_MS: "600000", SHUTDOWN_DRAIN_SECONDS: "0", SHUTDOWN_JOBS_SECONDS: "1" };
      const first = start({ ...env, PORT: String(await freePort()), HOST: "127.0.0.1" });
      await waitFor(async () => receiver.state.received === 1, 30_000, `the job to call the endpoint\n${first.output()}`);
      const second = start({ ...env, PORT: String(await freePort()), HOST: "127.0.0.1" });
      await second.waitFor("keyrelay is listening");
      // The first run's request stays held; the next one is answered.
      receiver.state.hold = false;
      first.child.kill("SIGTERM");
      expect(await first.exited()).toEqual({ code: 0, signal: null });
      expect(first.output()).toContain("jobs: 0 in hand finished, 1 released");
      await waitFor(async () => (await s.db.selectFrom("jobs").select("status").where("id", "=", jobId).executeTakeFirst())?.status === "done", 20_000, `the second worker to do the job\n${second.output()}`);
      expect(receiver.state).toMatchObject({ received: 2, answered: 1 });
      second.child.kill("SIGTERM");
      expect(await second.exited()).toEqual({ code: 0, signal: null });
      expect(await s.db.selectFrom("jobs").select(["status", "attempts"]).where("id", "=", jobId).executeTakeFirstOrThrow()).toEqual({ status: "done", attempts: 1 });
    } finally {
      await receiver.close();
      await s.cleanup();
    }
  });

  for (const { kind, available } of kinds) {
    describe.skipIf(!available)(`jobs in hand on ${kind}`, () => {
      it("a slow job in hand finishes within SHUTDOWN_JOBS_SECONDS", async () => {
        const receiver = await startReceiver();
        const { s, jobId } = await deploymentWithOneJob(kind, receiver.url);
        try {
          const p = start({ ...s.env, PORT: String(await freePort()), HOST: "127.0.0.1", SHUTDOWN_DRAIN_SECONDS: "0", SHUTDOWN_JOBS_SECONDS: "60" });
          await waitFor(async () => receiver.state.received === 1, 30_000, `the job to call the endpoint\n${p.output()}`);
          p.child.kill("SIGTERM");
          await p.waitFor("drained: no new connections are taken");
          // The job is still in hand (held by the endpoint) while the process waits for it.
          expect(p.output()).not.toContain("in hand finished");
          receiver.release();
          expect(await p.exited()).toEqual({ code: 0, signal: null });
          expect(p.output()).toContain("jobs: 1 in hand finished, 0 released");
          const job = await s.db.selectFrom("jobs").select(["status", "attempts"]).where("id", "=", jobId).executeTakeFirstOrThrow();
          expect(job).toEqual({ status: "done", attempts: 1 });
          const d = await s.db.selectFrom("reseller_webhook_deliveries").select(["status", "attempts"]).executeTakeFirstOrThrow();
          expect(d).toEqual({ status: "delivered", attempts: 1 });
          expect(receiver.state).toMatchObject({ received: 1, answered: 1 });
        } finally {
          await receiver.close();
          await s.cleanup();
        }
      });

      it("a job longer than the limit is released (pending, attempt not spent) and the next start does it exactly once", async () => {
        const receiver = await startReceiver();
        const { s, jobId } = await deploymentWithOneJob(kind, receiver.url);
        try {
          const env = { ...s.env, PORT: String(await freePort()), HOST: "127.0.0.1", SHUTDOWN_DRAIN_SECONDS: "0", SHUTDOWN_JOBS_SECONDS: "1" };
          const first = start(env);
          await waitFor(async () => receiver.state.received === 1, 30_000, `the job to call the endpoint\n${first.output()}`);
          first.child.kill("SIGTERM");
          expect(await first.exited()).toEqual({ code: 0, signal: null });
          expect(first.output()).toContain("jobs: 0 in hand finished, 1 released");
          const released = await s.db.selectFrom("jobs").select(["status", "attempts", "locked_by"]).where("id", "=", jobId).executeTakeFirstOrThrow();
          expect(released).toEqual({ status: "pending", attempts: 0, locked_by: null });
          // The first run's request was never answered: the endpoint acknowledged nothing yet.
          expect(receiver.state.answered).toBe(0);

          receiver.state.hold = false;
          const second = start(env);
          await waitFor(async () => (await s.db.selectFrom("jobs").select("status").where("id", "=", jobId).executeTakeFirst())?.status === "done", 30_000, `the job to be done\n${second.output()}`);
          second.child.kill("SIGTERM");
          expect(await second.exited()).toEqual({ code: 0, signal: null });
          const job = await s.db.selectFrom("jobs").select(["status", "attempts"]).where("id", "=", jobId).executeTakeFirstOrThrow();
          expect(job).toEqual({ status: "done", attempts: 1 });
          const d = await s.db.selectFrom("reseller_webhook_deliveries").select(["status", "attempts"]).executeTakeFirstOrThrow();
          expect(d).toEqual({ status: "delivered", attempts: 1 });
          // Exactly once: one request answered, by the second start.
          expect(receiver.state).toMatchObject({ received: 2, answered: 1 });
        } finally {
          await receiver.close();
          await s.cleanup();
        }
      });
    });
  }
});
