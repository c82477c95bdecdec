import { describe, expect, it } from "vitest";
import { canonicalRequest, decideOnExisting, IDEMPOTENCY_TTL_MS, IN_FLIGHT_STALE_MS, validIdempotencyKey } from "./idempotency.ts";

const t0 = new Date("2026-12-07T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("idempotency keys", () => {
  it("replays the same request once it is done, for 24 hours", () => {
    const stored = { fingerprint: "a", state: "done" as const, createdAt: t0, lockedAt: t0 };
    expect(decideOnExisting(stored, "a", at(1000))).toBe("replay");
    expect(decideOnExisting(stored, "a", at(IDEMPOTENCY_TTL_MS - 1))).toBe("replay");
    expect(decideOnExisting(stored, "a", at(IDEMPOTENCY_TTL_MS))).toBe("take_over");
  });
  it("refuses another request under the same key", () => {
    expect(decideOnExisting({ fingerprint: "a", state: "done", createdAt: t0, lockedAt: t0 }, "b", at(1))).toBe("mismatch");
    expect(decideOnExisting({ fingerprint: "a", state: "in_flight", createdAt: t0, lockedAt: t0 }, "b", at(1))).toBe("mismatch");
  });
  it("refuses while the first is in flight, until it is stale", () => {
    const stored = { fingerprint: "a", state: "in_flight" as const, createdAt: t0, lockedAt: t0 };
    expect(decideOnExisting(stored, "a", at(IN_FLIGHT_STALE_MS - 1))).toBe("in_flight");
    expect(decideOnExisting(stored, "a", at(IN_FLIGHT_STALE_MS))).toBe("take_over");
  });
  it("the same JSON in another key order is the same request; a changed value is not", () => {
    const a = canonicalRequest("post", "/api/v1/orders", { pool: "p", quantity: 2, x: { b: 1, a: [1, { d: 2, c: 3 }] } });
    const b = canonicalRequest("POST", "/api/v1/orders", { x: { a: [1, { c: 3, d: 2 }], b: 1 }, quantity: 2, pool: "p" });
    expect(a).toBe(b);
    expect(canonicalRequest("POST", "/api/v1/orders", { pool: "p", quantity: 3 })).not.toBe(canonicalRequest("POST", "/api/v1/orders", { pool: "p", quantity: 2 }));
  });
  it("accepts printable keys up to 255 characters", () => {
    expect(validIdempotencyKey("order-123")).toBe(true);
    expect(validIdempotencyKey("x".repeat(255))).toBe(true);
    expect(validIdempotencyKey("x".repeat(256))).toBe(false);
    expect(validIdempotencyKey("")).toBe(false);
    expect(validIdempotencyKey("a b")).toBe(false);
    expect(validIdempotencyKey(null)).toBe(false);
  });
});
