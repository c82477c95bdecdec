import type { HostOrder } from "../../connectors/host-connector.ts";
import type { TestServices } from "./test-services.ts";

/**
 * Runs the pending stock syncs now, as a worker would once their window closed (the tests use a
 * long window so nothing runs by itself, and no assertion depends on the clock). Syncs a run asks
 * for (stock moved meanwhile) run too; `rounds` bounds that.
 */
export async function runStockSyncs(s: TestServices, opts: { rounds?: number; force?: boolean } = {}): Promise<number> {
  let ran = 0;
  for (let round = 0; round < (opts.rounds ?? 10); round++) {
    let q = s.db.selectFrom("jobs").select("id").where("queue", "=", "sync-stock").where("status", "=", "pending");
    if (opts.force === false) q = q.where("run_at", "<=", new Date().toISOString());
    const due = await q.orderBy("id").execute();
    if (due.length === 0) break;
    await s.db.updateTable("jobs").set({ run_at: new Date(Date.now() - 1).toISOString() }).where("id", "in", due.map((d) => Number(d.id))).execute();
    for (const d of due) await s.jobs.runJob(Number(d.id));
    ran += due.length;
  }
  return ran;
}

export function syncJobCount(s: TestServices, status?: "pending" | "done" | "failed"): Promise<number> {
  let q = s.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("queue", "=", "sync-stock");
  if (status) q = q.where("status", "=", status);
  return q.executeTakeFirstOrThrow().then((r) => Number(r.n));
}

let seq = 50_000;

/** A paid host order for these items. */
export function orderFor(items: { productId: string; variantId: string | null; quantity: number }[]): HostOrder {
  const id = String(++seq);
  return {
    externalId: id,
    name: `#${id}`,
    email: "buyer@example.com",
    customerName: "Ada Buyer",
    locale: "en",
    currency: "USD",
    totalMinor: 1000,
    financialStatus: "paid",
    status: "paid",
    placedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    riskRecommendation: null,
    lines: items.map((it, i) => ({ externalLineId: `${id}-${i}`, productId: it.productId, variantId: it.variantId, title: "Item", quantity: it.quantity, refundedQuantity: 0, unitPriceMinor: 1000 })),
  };
}

export const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, "0")}`);

/** Runs `fn` over items with at most `n` at once. */
export async function inParallel<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}
