import type { Executor } from "./job-rows.ts";

/**
 * The aggregate reads behind the scrape-time gauges (metrics/prom-metrics.ts): four statements
 * per scrape, each a GROUP BY or a count over an indexed column, across every account (the
 * endpoint is the operator's, not a merchant's). Never on the order path.
 */
export async function readOperationalCounts(db: Executor): Promise<{
  backorders: { open: number; oldestAt: string | null };
  heldForReview: number;
  jobs: { queue: string; status: "pending" | "running"; count: number; oldestRunAt: string | null }[];
  availableByPool: { poolId: string; available: number }[];
}> {
  const [backorders, held, jobs, pools] = await Promise.all([
    db
      .selectFrom("allocations")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.min("created_at").as("oldest")])
      .where("status", "=", "backordered")
      .executeTakeFirst(),
    db.selectFrom("orders").select((eb) => eb.fn.countAll<number>().as("n")).where("risk_decision", "=", "hold").executeTakeFirst(),
    db
      .selectFrom("jobs")
      .select((eb) => ["queue", "status", eb.fn.countAll<number>().as("n"), eb.fn.min("run_at").as("oldest")])
      .where("status", "in", ["pending", "running"])
      .groupBy(["queue", "status"])
      .execute(),
    // Every live pool, with 0 when it has nothing to sell: an empty pool is the alert.
    db
      .selectFrom("pools as p")
      .leftJoin("keys as k", (j) => j.onRef("k.pool_id", "=", "p.id").on("k.state", "=", "available"))
      .select((eb) => ["p.id", eb.fn.count<number>("k.id").as("n")])
      .where("p.archived_at", "is", null)
      .groupBy("p.id")
      .execute(),
  ]);
  return {
    backorders: { open: Number(backorders?.n ?? 0), oldestAt: timestamp(backorders?.oldest) },
    heldForReview: Number(held?.n ?? 0),
    jobs: jobs.map((r) => ({ queue: r.queue, status: r.status as "pending" | "running", count: Number(r.n), oldestRunAt: timestamp(r.oldest) })),
    availableByPool: pools.map((r) => ({ poolId: r.id, available: Number(r.n) })),
  };
}

/** Postgres answers a Date for timestamptz aggregates, SQLite the stored ISO text. */
function timestamp(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}
