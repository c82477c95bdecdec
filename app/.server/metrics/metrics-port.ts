/**
 * What the rest of the app may record about itself (the Prometheus metrics of README "Metrics").
 * In-process increments only: nothing here touches the database or the network, so recording on
 * the order path costs no statement. Every label is from a small fixed set (platform, queue,
 * reason code, outcome): never an order id, an email, a shop or a key.
 */
export interface MetricsRecorder {
  /** A verified webhook delivery answered 200 (recorded, duplicate, ignored, or a WooCommerce ping). */
  webhookReceived(platform: string, outcome: string): void;
  /** A delivery refused before it was recorded: bad signature, malformed, oversized, unknown store... */
  webhookRejected(platform: string, reason: string): void;
  /** From the webhook's receipt (its row's received_at) to the allocation's commit. */
  allocationCommitted(platform: string, seconds: number): void;
  /** The order's keys were first written into the host order (a rewrite after a refund or a fill is not counted again). */
  orderDelivered(platform: string): void;
  /** A job run that failed: `retry` (it will run again) or `parked` (failed for good). */
  jobFailed(queue: string, outcome: "retry" | "parked"): void;
  /** A row was written to the jobs table (not a request merged into a waiting row). */
  jobRowWritten(queue: string): void;
  /** One HTTP request to a host's API: its outcome, and whether the host said "slow down". */
  hostRequest(platform: string, outcome: { error?: "network" | "timeout" | "http_4xx" | "http_5xx"; throttled?: boolean }): void;
  emailSent(): void;
  emailFailed(): void;
}

/** What the scrape-time gauges show; read with a few aggregate queries when Prometheus asks. */
export interface GaugeReading {
  backordersOpen: number;
  oldestBackorderAgeSeconds: number;
  heldForReview: number;
  /** The jobs table: rows waiting (due or later) and running, and the oldest due row's wait, per queue. */
  jobTable: { queue: string; pending: number; running: number; oldestDueAgeSeconds: number }[];
  /** BullMQ's own view (scale-out only): its waiting/delayed/active counts and oldest waiting job per queue. */
  bullmq?: { queue: string; waiting: number; delayed: number; active: number; oldestWaitingAgeSeconds: number }[];
  availableKeysByPool: { pool: string; available: number }[];
}

/** Metrics as JSON (prom-client's getMetricsAsJSON shape), for merging another thread's counters. */
export type MetricsSnapshot = unknown[];

export interface Metrics extends MetricsRecorder {
  /** True when METRICS_TOKEN or METRICS_PORT turned the endpoint on. */
  readonly exposed: boolean;
  /** The Prometheus text exposition of this process (its own registry plus any added source). */
  render(): Promise<{ contentType: string; body: string }>;
  /** This registry's metrics as JSON, for the thread that renders. */
  snapshot(): Promise<MetricsSnapshot>;
  /** Another registry of this process (the job thread's) whose counters are summed into render(). */
  addSource(source: () => Promise<MetricsSnapshot>): void;
}
