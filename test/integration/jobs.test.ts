import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { getJob } from "../../app/.server/db/repositories/job-rows.ts";
import { IgnoredError, PermanentError, RetryableError } from "../../app/.server/domain/errors.ts";
import { dialects } from "../support/dialects.ts";
import { redisAvailable } from "../support/services-available.ts";
import { makeServices, waitFor, type TestDialect, type TestServices } from "../support/test-services.ts";

const engines = [
  { engine: "in-process", redis: false, available: true },
  { engine: "bullmq", redis: true, available: redisAvailable },
] as const;

for (const { dialect, available: dbAvailable } of dialects) {
  for (const { engine, redis, available: engineAvailable } of engines) {
    describe.skipIf(!dbAvailable || !engineAvailable)(`jobs: ${engine} engine on ${dialect}`, () => {
      const opened: TestServices[] = [];
      const open = async (opts: { startWorkers?: boolean; env?: Record<string, string> } = {}) => {
        const s = await makeServices({ dialect: dialect as TestDialect, redis, ...opts });
        opened.push(s);
        return s;
      };
      afterEach(async () => {
        for (const s of opened.splice(0).reverse()) await s.cleanup();
      });

      it("runs an enqueued job once and marks its row done", async () => {
        const s = await open();
        const seen: string[] = [];
        s.jobs.register("sync-stock", async (p) => void seen.push(p.poolId));
        await s.jobs.startWorkers();
        const job = await s.jobs.enqueue("sync-stock", { accountId: "a", poolId: "p1" });
        await waitFor(async () => (await getJob(s.db, job.id))?.status === "done", 10_000, "job done");
        expect(seen).toEqual(["p1"]);
        const row = await getJob(s.db, job.id);
        expect(row?.attempts).toBe(1);
        expect(JSON.parse(row!.payload)).toEqual({ accountId: "a", poolId: "p1" });
      });

      it("never runs two jobs with the same dedupe key at once: the second waits for the first", async () => {
        const s = await open();
        let running = 0;
        let most = 0;
        const done: string[] = [];
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        s.jobs.register("deliver-order", async (p) => {
          running += 1;
          most = Math.max(most, running);
          if (done.length === 0) await gate;
          done.push(p.orderId);
          running -= 1;
        });
        await s.jobs.startWorkers();
        const first = await s.jobs.enqueue("deliver-order", { orderId: "o-1" }, { dedupeKey: "deliver-order:o-1" });
        await waitFor(async () => (await getJob(s.db, first.id))?.status === "running", 10_000, "first running");
        // New work for the same order while the first delivery runs: a new row, which must wait.
        const second = await s.jobs.enqueue("deliver-order", { orderId: "o-1" }, { dedupeKey: "deliver-order:o-1" });
        expect(second.id).not.toBe(first.id);
        await new Promise((r) => setTimeout(r, 1_500));
        expect((await getJob(s.db, second.id))?.status).toBe("pending");
        release();
        await waitFor(async () => (await getJob(s.db, second.id))?.status === "done", 20_000, "second done");
        expect(most).toBe(1);
        expect(done).toEqual(["o-1", "o-1"]);
      });

      it("retries a retryable error with backoff, then succeeds", async () => {
        const s = await open();
        let calls = 0;
        s.jobs.register("send-email", async () => {
          calls += 1;
          if (calls < 3) throw new RetryableError("smtp_down", "SMTP unavailable", { retryAfterMs: 10 });
        });
        await s.jobs.startWorkers();
        // Short backoff for the test: retry immediately by re-running due rows.
        const job = await s.jobs.enqueue("send-email", { orderId: "o1", kind: "delivery" });
        await waitFor(
          async () => {
            const r = await getJob(s.db, job.id);
            if (r?.status === "pending") {
              // Bring the scheduled retry forward instead of sleeping through the backoff.
              await s.db.updateTable("jobs").set({ run_at: new Date().toISOString() }).where("id", "=", job.id).execute();
              await s.jobs.sweep();
            }
            return r?.status === "done";
          },
          15_000,
          "retried job done",
        );
        const row = await getJob(s.db, job.id);
        expect(calls).toBe(3);
        expect(row?.attempts).toBe(3);
      });

      it("parks a permanent error as failed, counts an ignored one as done", async () => {
        const s = await open();
        s.jobs.register("deliver-order", async (p) => {
          if (p.orderId === "bad") throw new PermanentError("variant_deleted", "variant was deleted on the host");
          throw new IgnoredError("uninstalled", "shop uninstalled");
        });
        await s.jobs.startWorkers();
        const bad = await s.jobs.enqueue("deliver-order", { orderId: "bad" });
        const ignored = await s.jobs.enqueue("deliver-order", { orderId: "other" });
        await waitFor(async () => (await getJob(s.db, bad.id))?.status === "failed", 10_000, "failed");
        await waitFor(async () => (await getJob(s.db, ignored.id))?.status === "done", 10_000, "ignored");
        const failed = await getJob(s.db, bad.id);
        expect(failed?.attempts).toBe(1);
        expect(failed?.error_kind).toBe("permanent");
        expect(failed?.last_error).toContain("variant was deleted");
        expect((await getJob(s.db, ignored.id))?.error_kind).toBe("ignored");
      });

      it("gives up a retryable job after max attempts", async () => {
        const s = await open();
        s.jobs.register("reconcile-store", async () => {
          throw new Error("host timed out");
        });
        await s.jobs.startWorkers();
        const job = await s.jobs.enqueue("reconcile-store", { storeId: "s" }, { maxAttempts: 2 });
        await waitFor(
          async () => {
            const r = await getJob(s.db, job.id);
            if (r?.status === "pending" && r.attempts > 0) {
              await s.db.updateTable("jobs").set({ run_at: new Date().toISOString() }).where("id", "=", job.id).execute();
              await s.jobs.sweep();
            }
            return r?.status === "failed";
          },
          15_000,
          "parked after 2 attempts",
        );
        expect((await getJob(s.db, job.id))?.attempts).toBe(2);
      });

      it("deduplicates by key and runs a row once however often it is triggered", async () => {
        const s = await open();
        let runs = 0;
        s.jobs.register("fill-backorders", async () => {
          runs += 1;
          await new Promise((r) => setTimeout(r, 50));
        });
        // Two requests while the job waits merge into one row (written, not yet triggered).
        const a = await s.jobs.stage(s.db, "fill-backorders", { accountId: "a", poolId: "p" }, { dedupeKey: "fill:p:1" });
        const b = await s.jobs.stage(s.db, "fill-backorders", { accountId: "a", poolId: "p" }, { dedupeKey: "fill:p:1" });
        expect(b.id).toBe(a.id);
        await s.jobs.startWorkers();
        // Twenty concurrent triggers of the same row, as after a sweep racing a retry.
        await Promise.all(Array.from({ length: 20 }, () => s.jobs.runJob(a.id)));
        await waitFor(async () => (await getJob(s.db, a.id))?.status === "done", 10_000, "done");
        await new Promise((r) => setTimeout(r, 300));
        expect(runs).toBe(1);
        expect((await s.db.selectFrom("jobs").select("id").where("queue", "=", "fill-backorders").execute()).length).toBe(1);
      });

      it("loses nothing: a row whose trigger was lost, and a row left running by a crashed worker, both run", async () => {
        const s = await open();
        const seen: string[] = [];
        s.jobs.register("low-stock-alert", async (p) => void seen.push(p.poolId));
        // Written but never triggered (the process died right after commit, or Redis lost the message).
        const lost = await s.jobs.stage(s.db, "low-stock-alert", { accountId: "a", poolId: "lost" });
        // Claimed by a worker that then died: running, locked long ago.
        const crashed = await s.jobs.stage(s.db, "low-stock-alert", { accountId: "a", poolId: "crashed" });
        await s.db
          .updateTable("jobs")
          .set({ status: "running", attempts: 1, locked_by: "dead-worker", locked_at: new Date(Date.now() - 10 * 60_000).toISOString() })
          .where("id", "=", crashed.id)
          .execute();
        await s.jobs.startWorkers();
        await waitFor(async () => (await getJob(s.db, lost.id))?.status === "done" && (await getJob(s.db, crashed.id))?.status === "done", 10_000, "both done");
        expect(seen.sort()).toEqual(["crashed", "lost"]);
        expect((await getJob(s.db, crashed.id))?.attempts).toBe(2);
      });

      it("a row left running by a crashed worker while its twin waits is merged into the twin, and the sweep goes on", async () => {
        const s = await open();
        const seen: string[] = [];
        s.jobs.register("sync-stock", async (p) => void seen.push(`sync:${p.poolId}`));
        s.jobs.register("low-stock-alert", async (p) => void seen.push(`alert:${p.poolId}`));
        // Claimed by a worker that then died (kill -9, or its database connection dropped before it
        // could record the outcome) …
        const crashed = await s.jobs.stage(s.db, "sync-stock", { accountId: "a", poolId: "p" }, { dedupeKey: "sync:p" });
        await s.db
          .updateTable("jobs")
          .set({ status: "running", attempts: 1, locked_by: "dead-worker", locked_at: new Date(Date.now() - 10 * 60_000).toISOString() })
          .where("id", "=", crashed.id)
          .execute();
        // … while the same work was asked for again (a new waiting row with the same key), and a row
        // whose trigger was lost waits for the sweeper.
        const twin = await s.jobs.stage(s.db, "sync-stock", { accountId: "a", poolId: "p" }, { dedupeKey: "sync:p" });
        expect(twin.id).not.toBe(crashed.id);
        const lost = await s.jobs.stage(s.db, "low-stock-alert", { accountId: "a", poolId: "lost" });
        await s.jobs.startWorkers();
        await waitFor(async () => (await getJob(s.db, twin.id))?.status === "done" && (await getJob(s.db, lost.id))?.status === "done", 10_000, "twin and lost row done");
        expect(await getJob(s.db, crashed.id)).toMatchObject({ status: "done", last_error: "worker stopped while running it; merged into the waiting job with the same dedupe key" });
        expect(seen.sort()).toEqual(["alert:lost", "sync:p"]);
        expect(s.logLines.filter((l) => l.includes("job sweep failed"))).toEqual([]);
      });

      it("keeps a long-running job's claim alive: the sweeper does not hand it to a second run", async () => {
        const s = await open({ env: { JOBS_LOCK_TIMEOUT_MS: "300" } });
        let running = 0;
        let maxConcurrent = 0;
        let runs = 0;
        s.jobs.register("reconcile-store", async () => {
          runs += 1;
          running += 1;
          maxConcurrent = Math.max(maxConcurrent, running);
          await new Promise((r) => setTimeout(r, 1_200));
          running -= 1;
        });
        await s.jobs.startWorkers();
        const job = await s.jobs.enqueue("reconcile-store", { storeId: "slow" });
        // Sweep hard while it runs, as several workers would.
        const sweeping = setInterval(() => void s.jobs.sweep(), 50);
        await waitFor(async () => (await getJob(s.db, job.id))?.status === "done", 10_000, "done");
        clearInterval(sweeping);
        expect(runs).toBe(1);
        expect(maxConcurrent).toBe(1);
      });

      it("a run that lost its claim cannot overwrite the outcome of the run that replaced it", async () => {
        const s = await open({ env: { JOBS_LOCK_TIMEOUT_MS: "60000" } });
        let calls = 0;
        let releaseFirst!: () => void;
        const firstMayFinish = new Promise<void>((r) => (releaseFirst = r));
        let firstSignal: AbortSignal | undefined;
        s.jobs.register("deliver-order", async (_p, ctx) => {
          calls += 1;
          if (calls === 1) {
            firstSignal = ctx.signal;
            await firstMayFinish;
            throw new PermanentError("stale", "the stale run failed");
          }
        });
        const job = await s.jobs.enqueue("deliver-order", { orderId: "o" });
        const first = s.jobs.runJob(job.id);
        await waitFor(async () => calls === 1, 5_000, "first run started");
        // The first run's process "paused": its lock is taken over and a second run completes.
        await s.db.updateTable("jobs").set({ status: "pending", locked_by: null, locked_at: null }).where("id", "=", job.id).execute();
        await s.jobs.runJob(job.id);
        expect((await getJob(s.db, job.id))?.status).toBe("done");
        releaseFirst();
        await first;
        expect((await getJob(s.db, job.id))?.status).toBe("done");
        expect(calls).toBe(2);
        expect(firstSignal).toBeDefined();
      });

      it("merges requests by dedupe key only while one is waiting", async () => {
        const s = await open();
        const a = await s.jobs.stage(s.db, "sync-stock", { accountId: "a", poolId: "p" }, { dedupeKey: "sync:p" });
        const b = await s.jobs.stage(s.db, "sync-stock", { accountId: "a", poolId: "p" }, { dedupeKey: "sync:p" });
        expect(b.id).toBe(a.id);
        await s.db.updateTable("jobs").set({ status: "done" }).where("id", "=", a.id).execute();
        const c = await s.jobs.stage(s.db, "sync-stock", { accountId: "a", poolId: "p" }, { dedupeKey: "sync:p" });
        expect(c.id).not.toBe(a.id);
      });

      it("stages several keyed rows in one statement, each merged into its waiting twin as stage does", async () => {
        const s = await open();
        const waiting = await s.jobs.stage(s.db, "send-email", { orderId: "m-1", kind: "delivery" }, { accountId: "a", dedupeKey: "send-email:m-1" });
        const staged = await s.jobs.stageMany(s.db, [
          { name: "deliver-order", payload: { orderId: "m-1" }, opts: { accountId: "a", dedupeKey: "deliver-order:m-1" } },
          { name: "send-email", payload: { orderId: "m-1", kind: "delivery" }, opts: { accountId: "a", dedupeKey: "send-email:m-1" } },
        ]);
        expect(staged.map((j) => j.queue)).toEqual(["deliver-order", "send-email"]);
        expect(staged[1].id).toBe(waiting.id);
        expect(staged[0].id).not.toBe(waiting.id);
        const rows = await s.db.selectFrom("jobs").select(["id", "queue", "payload", "account_id", "status"]).where("dedupe_key", "in", ["deliver-order:m-1", "send-email:m-1"]).orderBy("id").execute();
        expect(rows).toEqual([
          { id: waiting.id, queue: "send-email", payload: JSON.stringify({ orderId: "m-1", kind: "delivery" }), account_id: "a", status: "pending" },
          { id: staged[0].id, queue: "deliver-order", payload: JSON.stringify({ orderId: "m-1" }), account_id: "a", status: "pending" },
        ]);
        // Its twin no longer waiting (claimed): a new row.
        await s.db.updateTable("jobs").set({ status: "done" }).where("id", "=", waiting.id).execute();
        const again = await s.jobs.stageMany(s.db, [{ name: "send-email", payload: { orderId: "m-1", kind: "delivery" }, opts: { accountId: "a", dedupeKey: "send-email:m-1" } }]);
        expect(again[0].id).not.toBe(waiting.id);
        await expect(s.jobs.stageMany(s.db, [staged, staged].map(() => ({ name: "sync-stock" as const, payload: { accountId: "a", poolId: "p" }, opts: { dedupeKey: "same" } })))).rejects.toThrow(/distinct/);
      });

      it("a queue without a handler parks its job as failed instead of dropping it", async () => {
        const s = await open();
        // Every queue has a handler now; take one away, as an older worker would lack a newer
        // release's queue.
        (s.jobs as unknown as { handlers: Map<string, unknown> }).handlers.delete("sync-stock");
        await s.jobs.startWorkers();
        const job = await s.jobs.enqueue("sync-stock", { accountId: "a", poolId: "x" });
        await waitFor(async () => (await getJob(s.db, job.id))?.status === "failed", 10_000, "parked");
        expect((await getJob(s.db, job.id))?.last_error).toContain("no handler");
      });

      if (dialect === "sqlite" && !redis) {
        it("a job's outcome is written even when another process held the database past busy_timeout at the time", { timeout: 20_000 }, async () => {
          const s = await open();
          const file = s.config.database.dialect === "sqlite" ? s.config.database.file : "";
          let outsider: SQLite.Database | undefined;
          s.jobs.register("sync-stock", async () => {
            // Another process (say the CLI) takes the write lock for longer than the app waits for it.
            outsider = new SQLite(file);
            outsider.exec("begin immediate");
            setTimeout(() => outsider!.exec("commit"), 5_600);
          });
          await s.jobs.startWorkers();
          const job = await s.jobs.enqueue("sync-stock", { accountId: "a", poolId: "held" });
          await waitFor(async () => (await getJob(s.db, job.id))?.status === "done", 15_000, "done once the lock is free");
          outsider?.close();
          expect((await getJob(s.db, job.id))?.attempts).toBe(1);
        });
      }

      if (redis) {
        it("a web process enqueues and a separate worker process runs it through Redis", async () => {
          const web = await open();
          // Same database and Redis key space, as two processes of one deployment.
          const worker = await makeServices({ dialect: dialect as TestDialect, redis: true, env: { ...web.env } });
          opened.push(worker);
          const seen: string[] = [];
          worker.jobs.register("sync-stock", async (p) => void seen.push(p.poolId));
          await worker.jobs.startWorkers();
          const job = await web.jobs.enqueue("sync-stock", { accountId: "a", poolId: "via-redis" });
          await waitFor(async () => (await getJob(web.db, job.id))?.status === "done", 10_000, "done by worker");
          expect(seen).toEqual(["via-redis"]);
        });

        it("a queue without a batch handler takes the rows waiting in Redis in batches (one claim each), never more than JOBS_CONCURRENCY at once", async () => {
          const s = await open({ startWorkers: false, env: { JOBS_CONCURRENCY: "2" } });
          let running = 0;
          let most = 0;
          const claims = new Set<string>();
          s.jobs.register("low-stock-alert", async (_p, ctx) => {
            running++;
            most = Math.max(most, running);
            claims.add((await getJob(s.db, ctx.jobId))!.locked_by!);
            await new Promise((r) => setTimeout(r, 30));
            running--;
          });
          const staged = [];
          for (let i = 0; i < 12; i++) staged.push(await s.jobs.stage(s.db, "low-stock-alert", { accountId: "x", poolId: `p${i}` }));
          // Triggered before any worker runs: the twelve wait in Redis together.
          await s.jobs.trigger(staged);
          await s.jobs.startWorkers(["low-stock-alert"]);
          await waitFor(async () => {
            const r = await s.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", "done").executeTakeFirstOrThrow();
            return Number(r.n) === 12;
          }, 10_000, "all twelve done");
          expect(most).toBe(2);
          // Row by row would be twelve claims; batches of up to eight rows make two or three.
          expect(claims.size).toBeLessThanOrEqual(4);
        });
      }
    });
  }
}
