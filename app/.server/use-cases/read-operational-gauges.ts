import { readOperationalCounts } from "../db/repositories/metrics-repo.ts";
import { JOB_NAMES } from "../jobs/job-names.ts";
import type { GaugeReading } from "../metrics/metrics-port.ts";
import type { Services } from "../ports.ts";

/**
 * What the scrape-time gauges show (README "Metrics"): read when Prometheus scrapes, never on the
 * order path. Redis being away leaves the BullMQ gauges out of that scrape rather than failing it.
 */
export async function readOperationalGauges(s: Pick<Services, "db" | "jobs" | "log">, now = Date.now()): Promise<GaugeReading> {
  const [counts, bullmq] = await Promise.all([
    readOperationalCounts(s.db),
    s.jobs.engine.queueStats?.().catch((e: Error) => {
      s.log.warn({ err: e.message }, "metrics: could not read the BullMQ queues");
      return undefined;
    }),
  ]);
  const age = (at: string | null) => (at ? Math.max(0, (now - Date.parse(at)) / 1000) : 0);
  const queues = [...new Set([...JOB_NAMES, ...counts.jobs.map((j) => j.queue)])];
  return {
    backordersOpen: counts.backorders.open,
    oldestBackorderAgeSeconds: age(counts.backorders.oldestAt),
    heldForReview: counts.heldForReview,
    jobTable: queues.map((queue) => {
      const pending = counts.jobs.find((j) => j.queue === queue && j.status === "pending");
      const running = counts.jobs.find((j) => j.queue === queue && j.status === "running");
      return { queue, pending: pending?.count ?? 0, running: running?.count ?? 0, oldestDueAgeSeconds: age(pending?.oldestRunAt ?? null) };
    }),
    bullmq,
    availableKeysByPool: counts.availableByPool.map((p) => ({ pool: p.poolId, available: p.available })),
  };
}
