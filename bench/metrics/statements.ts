/**
 * Metrics on the hot path (issue 16): SQL statements per webhook-driven order, end to end — the
 * WooCommerce webhook answered (the same function the HTTP fast path calls), the order allocated,
 * the keys written back, the email sent, host stock synced, and every job's bookkeeping — counted
 * at the driver (every statement the process executes: better-sqlite3 run/all/get/iterate, pg query). Run it on
 * a commit before the metrics and after: the counters must add no statement. Also prints what one
 * /metrics scrape costs (where the branch has metrics). Prints; asserts nothing.
 *
 *   node bench/metrics/statements.ts [--orders 20] [--only sqlite|postgres]
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { answerWooCommerceWebhook } from "../../app/.server/http/webhook-answers.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { startFakeWooCommerce } from "../../test/support/fake-woocommerce.ts";
import { stockPool } from "../../test/support/fulfilment-fixtures.ts";
import { makeServices, waitFor, type TestDialect } from "../../test/support/test-services.ts";

const { values } = parseArgs({ options: { orders: { type: "string", default: "20" }, only: { type: "string" } } });
const n = Number(values.orders);
const actor = { type: "cli" as const };

let statements = 0;
let counting = false;
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (counting) statements++;
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

async function run(dialect: TestDialect) {
  const wc = await startFakeWooCommerce();
  const s = await makeServices({
    dialect,
    startWorkers: true,
    // No sweeper passes during the measurement; stock sync right after each order.
    env: { APP_URL: "http://127.0.0.1:9", JOBS_SWEEP_INTERVAL_MS: "600000", STOCK_SYNC_WINDOW_MS: "10", LOG_LEVEL: "warn", METRICS_TOKEN: "bench-metrics-token-0123456789" },
  });
  try {
    if (s.database.dialect === "sqlite") {
      // Executions, not preparations: the app caches prepared statements (db/statement-cache.ts).
      const proto = Object.getPrototypeOf(s.database.sqlite.prepare("select 1")) as Record<string, (...a: unknown[]) => unknown>;
      for (const method of ["run", "all", "get", "iterate"]) {
        const original = proto[method];
        proto[method] = function (this: unknown, ...a: unknown[]) {
          if (counting) statements++;
          return original.apply(this, a);
        };
      }
    }
    const accountId = (await createAccount(s.db, { name: "Bench", alertEmail: "alerts@example.com" })).id;
    const poolId = (await createPool(s, accountId, { name: "Cards", refundPolicy: "revoke" }, actor)).id;
    await stockPool(s, accountId, poolId, Array.from({ length: n + 10 }, (_, i) => `BM-${i}`));
    const productId = wc.createProduct({ name: "Card", price: "10.00" }).id;
    const store = await connectWooCommerceStore(s, accountId, { ...wc.connection }, actor);
    await s.db.updateTable("stores").set({ settings: JSON.stringify({ sendEmail: true }) }).where("id", "=", store.id).execute();
    await mapProduct(s, accountId, { storeId: store.id, productId: String(productId), poolId, unitsPerItem: 1 }, actor);
    const hookId = wc.getWebhooks()[0].id;
    const idle = () => waitFor(async () => (await s.db.selectFrom("jobs").select("id").where("status", "in", ["pending", "running"]).execute()).length === 0, 20_000, "jobs idle");
    await idle();

    const perOrder: number[] = [];
    let nudged = 0;
    for (let i = 0; i < n; i++) {
      const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 1 }], status: "processing", billing: { email: `b${i}@example.com` } });
      const syncsBefore = wc.count("POST /products/batch");
      const d = wc.signDelivery(hookId, "order.updated", order.id);
      statements = 0;
      counting = true;
      const r = await answerWooCommerceWebhook(s, store.id, { headers: { get: (k: string) => d.headers[k.toLowerCase()] ?? null }, rawBody: d.body });
      if (r.status !== 200) throw new Error(`webhook answered ${r.status}`);
      // Waiting on the fake host, not the database, so the wait adds no statement: the note, the
      // stock update, then a moment for the jobs' own bookkeeping after their last host call.
      // A trigger is now and then lost (the same on the commit before metrics; seen for sync-stock
      // and, rarely, for a write-back); production's sweeper picks the row up. Here one sweep
      // nudges it, its own statements uncounted.
      const nudge = async (done: () => Promise<boolean>, label: string) => {
        if (await waitFor(done, 3_000, label).catch(() => false)) return;
        counting = false;
        await s.jobs.sweep();
        counting = true;
        nudged++;
        await waitFor(done, 20_000, `${label} after a sweep`);
      };
      await nudge(async () => wc.getNotes(order.id).some((x) => x.customer_note), "the note");
      await nudge(async () => wc.count("POST /products/batch") > syncsBefore, "stock sync");
      await new Promise((res) => setTimeout(res, 300));
      counting = false;
      perOrder.push(statements);
      await idle();
    }
    let scrape: number | undefined;
    const metrics = (s as { metrics?: { render(): Promise<unknown> } }).metrics;
    if (metrics) {
      statements = 0;
      counting = true;
      await metrics.render();
      counting = false;
      scrape = statements;
    }
    console.error(dialect, "per order:", perOrder.join(" "));
    const sorted = [...perOrder].sort((a, b) => a - b);
    return { mean: perOrder.reduce((a, b) => a + b, 0) / n, min: sorted[0], max: sorted.at(-1), median: sorted[Math.floor(n / 2)], scrape, nudged };
  } finally {
    counting = false;
    await s.cleanup();
    await wc.close();
  }
}

for (const dialect of (values.only ? [values.only] : ["sqlite", "postgres"]) as TestDialect[]) {
  const r = await run(dialect);
  console.log(`${dialect}: ${n} webhook-driven orders, one after another: ${r.mean.toFixed(2)} statements/order (median ${r.median}, min ${r.min}, max ${r.max}${r.nudged ? `; ${r.nudged} lost trigger(s) nudged by a sweep` : ""})${r.scrape === undefined ? "" : `; one /metrics scrape: ${r.scrape} statements`}`);
}
process.exit(0);
