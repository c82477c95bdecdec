import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getJob } from "../../app/.server/db/repositories/job-rows.ts";
import { JOB_THREAD_QUEUES, MAIN_THREAD_QUEUES, startJobThread, type JobThread } from "../../app/.server/runtime/job-thread.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";
import { parsePrometheusText } from "../support/prometheus-text.ts";

/**
 * The embedded default's second thread: its own services on the same SQLite file run the
 * follow-up queues, triggered over the thread's channel; if it dies the main thread takes over.
 */
describe("the job thread (embedded default, SQLite)", () => {
  const opened: { s: TestServices; thread?: JobThread }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.thread?.stop();
      await o.s.cleanup();
    }
  });

  async function setUp(env: Record<string, string> = {}) {
    const s = await makeServices({ dialect: "sqlite", env });
    const o: { s: TestServices; thread?: JobThread } = { s };
    opened.push(o);
    await s.jobs.startWorkers(MAIN_THREAD_QUEUES);
    // The thread's sweeper runs once at its start and then only every minute: work done within
    // seconds was triggered over the channel.
    o.thread = await startJobThread(s, path.resolve("."), { env: { ...s.env, LOG_LEVEL: "warn", JOBS_SWEEP_INTERVAL_MS: "60000" } });
    const account = await createAccount(s.db, { name: "Merchant", alertEmail: "alerts@example.com" });
    const pool = await createPool(s, account.id, { name: "Cards" }, { type: "cli" });
    return { s, o, accountId: account.id, poolId: pool.id };
  }

  it("runs the follow-up queues on the thread, triggered from the main thread at once", async () => {
    const { s, accountId, poolId } = await setUp();
    expect(JOB_THREAD_QUEUES).toContain("sync-stock");
    const started = Date.now();
    const job = await s.jobs.enqueue("sync-stock", { accountId, poolId });
    // The main thread does not run sync-stock (its sweeper skips the queue): only the thread can
    // have finished it, and before its own sweeper looked again.
    await waitFor(async () => (await getJob(s.db, job.id))?.status === "done", 10_000, "sync-stock done on the thread");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("hands its queues back to the main thread when it dies", async () => {
    const { s, o, accountId, poolId } = await setUp();
    await o.thread!.worker.terminate();
    await waitFor(async () => s.logLines.some((l) => l.includes("the job thread stopped")), 5_000, "takeover logged");
    const job = await s.jobs.enqueue("sync-stock", { accountId, poolId });
    await waitFor(async () => (await getJob(s.db, job.id))?.status === "done", 10_000, "sync-stock done on the main thread");
  });

  it("its counters are summed into the main thread's /metrics (emails it sent, which the main thread never did)", async () => {
    const { s, accountId, poolId } = await setUp({ METRICS_TOKEN: "metrics-token-0123456789abcdef" });
    const count = async () => parsePrometheusText((await s.metrics.render()).body).value("keyrelay_emails_sent_total") ?? 0;
    expect(await count()).toBe(0);
    // A low-stock alert is mailed by the thread (low-stock-alert is one of its queues).
    expect(JOB_THREAD_QUEUES).toContain("low-stock-alert");
    await s.db.updateTable("pools").set({ low_stock_alerted_at: new Date().toISOString() }).where("id", "=", poolId).execute();
    const job = await s.jobs.enqueue("low-stock-alert", { accountId, poolId });
    await waitFor(async () => (await getJob(s.db, job.id))?.status === "done", 10_000, "the alert sent on the thread");
    expect(await count()).toBe(1);
    // The main thread's own registry counted nothing: the 1 came from the thread.
    const own = (await s.metrics.snapshot()) as { name: string; values: { value: number }[] }[];
    expect(own.find((m) => m.name === "keyrelay_emails_sent_total")?.values.reduce((n, v) => n + v.value, 0)).toBe(0);
    // The thread's database work shows under its own label (bench/allocate's cost per thread):
    // claiming, running and finishing the job took statements and commits on its connection.
    // (The render itself may run statements on the main connection: the value lies between the counts around it.)
    const before = s.database.counters.statements;
    const e = parsePrometheusText((await s.metrics.render()).body);
    const after = s.database.counters.statements;
    expect(e.value("keyrelay_db_statements_total", { thread: "jobs" })).toBeGreaterThan(0);
    expect(e.value("keyrelay_db_transactions_total", { thread: "jobs" })).toBeGreaterThan(0);
    expect(e.value("keyrelay_db_statements_total", { thread: "main" })).toBeGreaterThanOrEqual(before);
    expect(e.value("keyrelay_db_statements_total", { thread: "main" })).toBeLessThanOrEqual(after);
  });
});
