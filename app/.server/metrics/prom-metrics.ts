import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { DbCounters } from "../db/db-counters.ts";
import type { GaugeReading, Metrics, MetricsSnapshot } from "./metrics-port.ts";

export type { GaugeReading } from "./metrics-port.ts";

export interface PromMetricsOptions {
  exposed: boolean;
  /** Node's process metrics (heap, GC, event loop, CPU): only where it renders, and only when exposed. */
  processMetrics: boolean;
  /** The gauges that need the database; absent in the job thread (the main thread reads them). */
  readGauges?: () => Promise<GaugeReading>;
  /**
   * This thread's database connection's counters, shown as keyrelay_db_*_total{thread}: `main`
   * (HTTP, key claims; the only thread of a web or worker process) or `jobs` (SQLite's job thread).
   */
  database?: { counters: DbCounters; thread: "main" | "jobs" };
}

/** Buckets for receipt → committed, in seconds: a healthy order lands well under a second. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** One registry per process (and per test's services): prom-client's global registry is never used. */
export function createPromMetrics(opts: PromMetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.exposed && opts.processMetrics) collectDefaultMetrics({ register: registry });
  const sources: (() => Promise<MetricsSnapshot>)[] = [];

  const webhooksReceived = new Counter({ name: "keyrelay_webhooks_received_total", help: "Webhook deliveries answered 200, by platform and outcome (recorded, duplicate, ignored, ping).", labelNames: ["platform", "outcome"], registers: [registry] });
  const webhooksRejected = new Counter({ name: "keyrelay_webhooks_rejected_total", help: "Webhook deliveries refused before they were recorded, by platform and reason.", labelNames: ["platform", "reason"], registers: [registry] });
  const allocationLatency = new Histogram({ name: "keyrelay_allocation_latency_seconds", help: "From a webhook's receipt to its order's allocation committed, by platform.", labelNames: ["platform"], buckets: LATENCY_BUCKETS, registers: [registry] });
  const ordersDelivered = new Counter({ name: "keyrelay_orders_delivered_total", help: "Orders whose keys were first written into the host order, by platform (a later rewrite is not counted again).", labelNames: ["platform"], registers: [registry] });
  const jobFailures = new Counter({ name: "keyrelay_job_failures_total", help: "Failed job runs, by queue and outcome (retry: will run again; parked: failed for good).", labelNames: ["queue", "outcome"], registers: [registry] });
  const hostRequests = new Counter({ name: "keyrelay_host_api_requests_total", help: "HTTP requests to a host's API (Shopify Admin GraphQL, WooCommerce REST), by platform.", labelNames: ["platform"], registers: [registry] });
  const hostErrors = new Counter({ name: "keyrelay_host_api_errors_total", help: "Host API requests that failed, by platform and kind (network, timeout, http_4xx, http_5xx).", labelNames: ["platform", "kind"], registers: [registry] });
  const hostThrottled = new Counter({ name: "keyrelay_host_api_throttled_total", help: "Host API answers that asked keyrelay to slow down (HTTP 429, Shopify THROTTLED), by platform.", labelNames: ["platform"], registers: [registry] });
  const emailsSent = new Counter({ name: "keyrelay_emails_sent_total", help: "Emails handed to the SMTP server (or written to the outbox).", registers: [registry] });
  const emailsFailed = new Counter({ name: "keyrelay_emails_failed_total", help: "Emails the mail transport refused or could not send.", registers: [registry] });

  const jobRowsWritten = new Counter({ name: "keyrelay_job_rows_written_total", help: "Rows written to the jobs table (work enqueued; a request merged into a waiting row is not counted), by queue.", labelNames: ["queue"], registers: [registry] });

  const gauges = opts.readGauges ? registerGauges(registry, opts.readGauges) : undefined;
  if (opts.database) registerDbCounters(registry, opts.database, gauges?.reading);

  return {
    exposed: opts.exposed,
    webhookReceived: (platform, outcome) => webhooksReceived.inc({ platform, outcome }),
    webhookRejected: (platform, reason) => webhooksRejected.inc({ platform, reason }),
    allocationCommitted: (platform, seconds) => allocationLatency.observe({ platform }, Math.max(0, seconds)),
    orderDelivered: (platform) => ordersDelivered.inc({ platform }),
    jobFailed: (queue, outcome) => jobFailures.inc({ queue, outcome }),
    jobRowWritten: (queue) => jobRowsWritten.inc({ queue }),
    hostRequest(platform, outcome) {
      hostRequests.inc({ platform });
      if (outcome.error) hostErrors.inc({ platform, kind: outcome.error });
      if (outcome.throttled) hostThrottled.inc({ platform });
    },
    emailSent: () => emailsSent.inc(),
    emailFailed: () => emailsFailed.inc(),
    async render() {
      gauges?.newScrape();
      if (sources.length === 0) return { contentType: registry.contentType, body: await registry.metrics() };
      const own = (await registry.getMetricsAsJSON()) as MetricObjectWithValues<MetricValue<string>>[];
      const others = (await Promise.all(sources.map((s) => s().catch(() => [])))) as MetricObjectWithValues<MetricValue<string>>[][];
      const shared = new Set(others.flat().map((m) => m.name));
      // Only the names the other registries also have are summed; this registry's own gauges and
      // process metrics pass through as they are ("first" of one), whatever their own aggregator.
      const mine = own.map((m) => (shared.has(m.name) ? { ...m, aggregator: "sum" as const } : { ...m, aggregator: "first" as const }));
      const merged = AggregatorRegistry.aggregate([mine, ...others.map((o) => o.map((m) => ({ ...m, aggregator: "sum" as const })))]);
      return { contentType: registry.contentType, body: await merged.metrics() };
    },
    snapshot: async () => (await registry.getMetricsAsJSON()) as MetricsSnapshot,
    addSource: (source) => void sources.push(source),
  };
}

/**
 * The database counters, read from plain integers at scrape time. Where this scrape also reads
 * the database gauges, they are read after that reading: the value then always includes the
 * scrape's own queries, so two scrapes differ by exactly the work between them plus one scrape.
 */
function registerDbCounters(registry: Registry, db: NonNullable<PromMetricsOptions["database"]>, gaugeReading?: () => Promise<unknown>): void {
  const counter = (name: string, help: string, value: (c: DbCounters) => number) =>
    new Counter({
      name,
      help,
      labelNames: ["thread"],
      registers: [registry],
      async collect() {
        await gaugeReading?.().catch(() => {});
        this.reset();
        this.inc({ thread: db.thread }, value(db.counters));
      },
    });
  counter("keyrelay_db_statements_total", "SQL statements executed (begin/commit included), by thread (main; jobs: SQLite's job thread).", (c) => c.statements);
  counter("keyrelay_db_transactions_total", "Database commits (transactions, and writes outside one: each commits on its own), by thread.", (c) => c.transactions);
  counter("keyrelay_db_round_trips_total", "Calls that reached the database (Postgres: queries sent by a pool client; SQLite: calls into the library), by thread.", (c) => c.roundTrips);
}

/**
 * The gauges that need the database, set when Prometheus scrapes (prom-client's collect): one
 * reading shared by every gauge of the same scrape, so a scrape costs one round of queries.
 * Returns that reading and the function that starts a new scrape (the next collect reads again).
 */
function registerGauges(registry: Registry, read: () => Promise<GaugeReading>): { reading: () => Promise<GaugeReading>; newScrape: () => void } {
  let current: Promise<GaugeReading> | undefined;
  const reading = () => (current ??= read());
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, r: GaugeReading) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const r = await reading();
        this.reset();
        fill(this, r);
      },
    });
  gauge("keyrelay_backorders_open", "Units of paid orders waiting for keys (backorders).", [], (g, r) => g.set(r.backordersOpen));
  gauge("keyrelay_backorder_oldest_age_seconds", "How long the oldest open backorder has waited (0: none).", [], (g, r) => g.set(r.oldestBackorderAgeSeconds));
  gauge("keyrelay_orders_held_for_review", "Orders held by a risk rule, waiting for a person's decision.", [], (g, r) => g.set(r.heldForReview));
  gauge("keyrelay_jobs", "Rows in the jobs table by queue and state (pending: waiting, due or later; running).", ["queue", "state"], (g, r) => {
    for (const q of r.jobTable) {
      g.set({ queue: q.queue, state: "pending" }, q.pending);
      g.set({ queue: q.queue, state: "running" }, q.running);
    }
  });
  gauge("keyrelay_job_oldest_due_age_seconds", "How long the oldest due pending job of each queue has waited past its run time.", ["queue"], (g, r) => {
    for (const q of r.jobTable) g.set({ queue: q.queue }, q.oldestDueAgeSeconds);
  });
  gauge("keyrelay_bullmq_jobs", "BullMQ jobs by queue and state (scale-out with REDIS_URL only).", ["queue", "state"], (g, r) => {
    for (const q of r.bullmq ?? []) {
      g.set({ queue: q.queue, state: "waiting" }, q.waiting);
      g.set({ queue: q.queue, state: "delayed" }, q.delayed);
      g.set({ queue: q.queue, state: "active" }, q.active);
    }
  });
  gauge("keyrelay_bullmq_oldest_waiting_age_seconds", "How long the oldest waiting BullMQ job of each queue has waited (scale-out only).", ["queue"], (g, r) => {
    for (const q of r.bullmq ?? []) g.set({ queue: q.queue }, q.oldestWaitingAgeSeconds);
  });
  gauge("keyrelay_pool_available_keys", "Keys available for sale, per pool (label: the pool's id).", ["pool"], (g, r) => {
    for (const p of r.availableKeysByPool) g.set({ pool: p.pool }, p.available);
  });
  return { reading, newScrape: () => (current = undefined) };
}
