import { describe, expect, it } from "vitest";
import { metricsAccess } from "./metrics-access.ts";

const on = { metrics: { token: "s3cret-metrics-token", host: "127.0.0.1" } };
const off = { metrics: { host: "127.0.0.1" } };

describe("metricsAccess", () => {
  it("is off on the app's port without a token, open on the metrics port without one", () => {
    expect(metricsAccess(off, null, "app")).toBe("off");
    expect(metricsAccess(off, "Bearer anything", "app")).toBe("off");
    expect(metricsAccess(off, null, "metrics")).toBe("allowed");
  });
  it("asks for the exact bearer token wherever a token is set", () => {
    for (const listener of ["app", "metrics"] as const) {
      expect(metricsAccess(on, "Bearer s3cret-metrics-token", listener)).toBe("allowed");
      expect(metricsAccess(on, "bearer  s3cret-metrics-token ", listener)).toBe("allowed");
      expect(metricsAccess(on, null, listener)).toBe("unauthorized");
      expect(metricsAccess(on, "Bearer s3cret-metrics-tokeN", listener)).toBe("unauthorized");
      expect(metricsAccess(on, "Bearer s3cret-metrics-token-and-more", listener)).toBe("unauthorized");
      expect(metricsAccess(on, "Basic czNjcmV0", listener)).toBe("unauthorized");
      expect(metricsAccess(on, "s3cret-metrics-token", listener)).toBe("unauthorized");
    }
  });
});
