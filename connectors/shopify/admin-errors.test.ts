import { describe, expect, it } from "vitest";
import { graphqlErrorsError, httpStatusError, networkError, redactSecrets, userErrorsError } from "./admin-errors.ts";

describe("Shopify errors → HostError kinds", () => {
  it("maps HTTP statuses", () => {
    const h = new Headers({ "retry-after": "3" });
    expect(httpStatusError("order", 401, h, '{"errors":"[API] Invalid API key"}')).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(httpStatusError("order", 403, h, "")).toMatchObject({ kind: "unauthorized" });
    expect(httpStatusError("order", 402, h, "")).toMatchObject({ kind: "unauthorized" });
    expect(httpStatusError("order", 404, h, "")).toMatchObject({ kind: "not_found" });
    expect(httpStatusError("order", 429, h, "")).toMatchObject({ kind: "retryable", retryAfterMs: 3000 });
    expect(httpStatusError("order", 503, new Headers(), "<html>")).toMatchObject({ kind: "retryable", retryAfterMs: null });
    expect(httpStatusError("order", 400, h, '{"errors":{"query":"missing"}}')).toMatchObject({ kind: "invalid" });
  });

  it("maps GraphQL error codes", () => {
    const cost = { requestedQueryCost: 300, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 100, restoreRate: 100 } };
    expect(graphqlErrorsError("order", [{ message: "Throttled", extensions: { code: "THROTTLED" } }], cost)).toMatchObject({ kind: "retryable", code: "THROTTLED", retryAfterMs: 2000 });
    expect(graphqlErrorsError("order", [{ message: "Access denied", extensions: { code: "ACCESS_DENIED" } }], null)).toMatchObject({ kind: "unauthorized" });
    expect(graphqlErrorsError("order", [{ message: "Internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }], null)).toMatchObject({ kind: "retryable" });
    expect(graphqlErrorsError("order", [{ message: "Field 'x' doesn't exist" }], null)).toMatchObject({ kind: "invalid" });
  });

  it("lists userErrors as invalid, without the delivered codes Shopify may echo", () => {
    const e = userErrorsError("orderUpdate", [{ field: ["note"], message: "Note is invalid: KEY-SECRET-123" }, { message: "second" }], ["KEY-SECRET-123"]);
    expect(e.kind).toBe("invalid");
    expect(e.message).toBe("Shopify orderUpdate refused: note: Note is invalid: [redacted]; second");
    expect(graphqlErrorsError("metafieldsSet", [{ message: 'Variable $m got invalid value "KEY-SECRET-123"' }], null, ["KEY-SECRET-123"]).message).not.toContain("KEY-SECRET-123");
  });

  it("network failures and timeouts are retryable", () => {
    expect(networkError("order", Object.assign(new Error("t"), { name: "TimeoutError" }), 5000)).toMatchObject({ kind: "retryable", message: "Shopify order: no answer within 5000 ms" });
    expect(networkError("order", new TypeError("fetch failed"), 5000).kind).toBe("retryable");
  });

  it("truncates long messages", () => {
    expect(redactSecrets("x".repeat(600)).length).toBe(501);
  });
});
