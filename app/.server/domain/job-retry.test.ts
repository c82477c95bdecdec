import { describe, expect, it } from "vitest";
import { backoffMs, MAX_BACKOFF_MS, outcomeOfFailure } from "./job-retry.ts";

describe("job retry policy", () => {
  it("backs off exponentially within [ceiling/2, ceiling] and caps", () => {
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(1, () => 1)).toBe(1000);
    expect(backoffMs(4, () => 1)).toBe(8000);
    expect(backoffMs(40, () => 1)).toBe(MAX_BACKOFF_MS);
  });

  it("retries a retryable error until attempts run out, then parks it", () => {
    expect(outcomeOfFailure("retryable", 1, 3, { random: () => 1 })).toEqual({ status: "pending", delayMs: 1000 });
    expect(outcomeOfFailure("retryable", 3, 3)).toEqual({ status: "failed" });
  });

  it("honours Retry-After when it is longer than the backoff", () => {
    expect(outcomeOfFailure("retryable", 1, 5, { retryAfterMs: 30_000, random: () => 0 })).toEqual({
      status: "pending",
      delayMs: 30_000,
    });
  });

  it("parks permanent and invalid-input errors at once, and counts ignored ones as done", () => {
    expect(outcomeOfFailure("permanent", 1, 10)).toEqual({ status: "failed" });
    expect(outcomeOfFailure("invalid_input", 1, 10)).toEqual({ status: "failed" });
    expect(outcomeOfFailure("ignored", 1, 10)).toEqual({ status: "done" });
  });
});
