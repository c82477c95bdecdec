import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createPromMetrics, type GaugeReading } from "./prom-metrics.ts";

const reading: GaugeReading = {
  backordersOpen: 0,
  oldestBackorderAgeSeconds: 0,
  heldForReview: 0,
  jobTable: [{ queue: "send-email", pending: 0, running: 0, oldestDueAgeSeconds: 0 }],
  bullmq: [{ queue: "send-email", waiting: 0, delayed: 0, active: 0, oldestWaitingAgeSeconds: 0 }],
  availableKeysByPool: [{ pool: "p", available: 0 }],
};

describe("docs/grafana-dashboard.json", () => {
  it("queries only metrics this app exposes (a renamed metric breaks the dashboard here first)", async () => {
    const dashboard = fs.readFileSync(path.resolve("docs/grafana-dashboard.json"), "utf8");
    JSON.parse(dashboard);
    const m = createPromMetrics({ exposed: true, processMetrics: true, readGauges: async () => reading });
    m.allocationCommitted("shopify", 1);
    const exposed = new Set((await m.render()).body.split("\n").filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]));
    const used = [...new Set(dashboard.match(/\b(keyrelay|process|nodejs)_[a-z0-9_]+/g) ?? [])].map((n) => n.replace(/_(bucket|sum|count)$/, ""));
    expect(used.length).toBeGreaterThan(15);
    for (const name of used) expect(exposed, name).toContain(name);
  });
});
