import { describe, expect, it } from "vitest";
import { createPromMetrics, type GaugeReading } from "./prom-metrics.ts";

const reading: GaugeReading = {
  backordersOpen: 3,
  oldestBackorderAgeSeconds: 42,
  heldForReview: 1,
  jobTable: [{ queue: "send-email", pending: 2, running: 1, oldestDueAgeSeconds: 5 }],
  bullmq: [{ queue: "send-email", waiting: 4, delayed: 0, active: 1, oldestWaitingAgeSeconds: 7 }],
  availableKeysByPool: [{ pool: "p-1", available: 9 }],
};

/** The value of one sample line of the exposition, or undefined when it is absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("createPromMetrics", () => {
  it("counts in process and reads the gauges once per scrape", async () => {
    let reads = 0;
    const m = createPromMetrics({ exposed: true, processMetrics: false, readGauges: async () => (reads++, reading) });
    m.webhookReceived("shopify", "recorded");
    m.webhookReceived("shopify", "recorded");
    m.webhookRejected("woocommerce", "bad_signature");
    m.allocationCommitted("shopify", 0.2);
    m.hostRequest("woocommerce", { error: "http_5xx" });
    m.hostRequest("woocommerce", { throttled: true, error: "http_4xx" });
    const { body, contentType } = await m.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(reads).toBe(1);
    expect(sample(body, 'keyrelay_webhooks_received_total{platform="shopify",outcome="recorded"}')).toBe(2);
    expect(sample(body, 'keyrelay_webhooks_rejected_total{platform="woocommerce",reason="bad_signature"}')).toBe(1);
    expect(sample(body, 'keyrelay_allocation_latency_seconds_bucket{le="0.25",platform="shopify"}')).toBe(1);
    expect(sample(body, 'keyrelay_allocation_latency_seconds_bucket{le="0.1",platform="shopify"}')).toBe(0);
    expect(sample(body, 'keyrelay_host_api_requests_total{platform="woocommerce"}')).toBe(2);
    expect(sample(body, 'keyrelay_host_api_throttled_total{platform="woocommerce"}')).toBe(1);
    expect(sample(body, 'keyrelay_host_api_errors_total{platform="woocommerce",kind="http_5xx"}')).toBe(1);
    expect(sample(body, "keyrelay_backorders_open")).toBe(3);
    expect(sample(body, 'keyrelay_jobs{queue="send-email",state="running"}')).toBe(1);
    expect(sample(body, 'keyrelay_bullmq_jobs{queue="send-email",state="waiting"}')).toBe(4);
    expect(sample(body, 'keyrelay_pool_available_keys{pool="p-1"}')).toBe(9);
    expect(body).not.toContain("process_cpu_user_seconds_total");
    await m.render();
    expect(reads).toBe(2);
  });

  it("sums another registry's counters into the scrape and keeps its own gauges and process metrics", async () => {
    const main = createPromMetrics({ exposed: true, processMetrics: true, readGauges: async () => reading });
    const thread = createPromMetrics({ exposed: true, processMetrics: false });
    main.addSource(() => thread.snapshot());
    main.orderDelivered("shopify");
    thread.orderDelivered("shopify");
    thread.orderDelivered("woocommerce");
    thread.emailSent();
    main.allocationCommitted("shopify", 0.01);
    const { body } = await main.render();
    expect(sample(body, 'keyrelay_orders_delivered_total{platform="shopify"}')).toBe(2);
    expect(sample(body, 'keyrelay_orders_delivered_total{platform="woocommerce"}')).toBe(1);
    expect(sample(body, "keyrelay_emails_sent_total")).toBe(1);
    expect(sample(body, "keyrelay_allocation_latency_seconds_count{platform=\"shopify\"}")).toBe(1);
    expect(sample(body, "keyrelay_backorders_open")).toBe(3);
    expect(body).toContain("process_cpu_user_seconds_total");
    expect(body).toContain("nodejs_heap_size_used_bytes");
    expect(body.match(/^# TYPE keyrelay_orders_delivered_total /gm)).toHaveLength(1);
  });
});
