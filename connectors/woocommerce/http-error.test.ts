import { describe, expect, it } from "vitest";
import { errorFromResponse, retryAfterMs } from "./http-error.ts";

const wp = (code: string, message: string, status: number) => ({ code, message, data: { status } });
const h = (init: Record<string, string> = {}) => new Headers(init);

describe("WooCommerce errors → HostError kinds", () => {
  it("maps statuses and keeps WooCommerce's code", () => {
    const unauthorized = errorFromResponse("GET /orders", 401, wp("woocommerce_rest_authentication_error", "Consumer key is invalid.", 401), h(), true);
    expect(unauthorized).toMatchObject({ kind: "unauthorized", status: 401, code: "woocommerce_rest_authentication_error" });
    expect(unauthorized.message).toBe("WooCommerce GET /orders: Consumer key is invalid. (woocommerce_rest_authentication_error, HTTP 401)");
    expect(errorFromResponse("POST /webhooks", 403, wp("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.", 403), h(), true).kind).toBe("unauthorized");
    expect(errorFromResponse("GET /orders/9", 404, wp("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404), h(), true).kind).toBe("not_found");
    expect(errorFromResponse("POST /orders/9/notes", 400, wp("rest_missing_callback_param", "Missing parameter(s): note", 400), h(), true).kind).toBe("invalid");
    expect(errorFromResponse("POST /products/batch", 413, wp("woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request.", 413), h(), true).kind).toBe("invalid");
  });

  it("makes 429, 5xx and HTML 5xx pages retryable, honouring Retry-After", () => {
    const throttled = errorFromResponse("GET /orders", 429, wp("too_many_requests", "Slow down", 429), h({ "retry-after": "7" }), true);
    expect(throttled).toMatchObject({ kind: "retryable", retryAfterMs: 7000 });
    expect(errorFromResponse("GET /orders", 503, undefined, h(), false)).toMatchObject({ kind: "retryable", retryAfterMs: null });
    const fatal = errorFromResponse("GET /orders", 500, wp("internal_server_error", "<p>There has been a critical error on this website.</p>", 500), h(), true);
    expect(fatal.kind).toBe("retryable");
    expect(fatal.message).toContain("There has been a critical error on this website.");
    expect(fatal.message).not.toContain("<p>");
  });

  it("says not_host for non-JSON pages and for WordPress without WooCommerce's routes", () => {
    expect(errorFromResponse("GET /system_status", 404, undefined, h(), false).kind).toBe("not_host");
    expect(errorFromResponse("GET /system_status", 404, wp("rest_no_route", "No route was found matching the URL and request method.", 404), h(), true).kind).toBe("not_host");
    // A WAF's HTML 403 is still an authorisation problem.
    expect(errorFromResponse("GET /orders", 403, undefined, h(), false).kind).toBe("unauthorized");
  });

  it("reads Retry-After in seconds or as a date", () => {
    const now = Date.parse("2026-11-25T03:00:00Z");
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs("Wed, 25 Nov 2026 03:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs("999999", now)).toBe(3_600_000);
  });
});
