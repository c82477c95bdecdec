import { describe, expect, it } from "vitest";
import { signPayload, verifySignature } from "../crypto/webhook-signature.ts";
import { checkEndpointUrl, retryDelayMs, withinRetryWindow } from "./reseller-webhook.ts";

describe("reseller webhooks", () => {
  it("signs t.body with HMAC-SHA256 and verifies within the tolerance only", () => {
    const h = signPayload("whsec_x", '{"a":1}', 1_700_000_000);
    expect(h).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(h, "whsec_x", '{"a":1}', 1_700_000_100)).toBe(true);
    expect(verifySignature(h, "whsec_x", '{"a":2}', 1_700_000_100)).toBe(false);
    expect(verifySignature(h, "whsec_y", '{"a":1}', 1_700_000_100)).toBe(false);
    expect(verifySignature(h, "whsec_x", '{"a":1}', 1_700_001_000)).toBe(false);
  });
  it("retries with exponential backoff up to 6 h, for three days", () => {
    expect([1, 2, 3, 20].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 6 * 3_600_000]);
    const created = "2026-12-01T00:00:00.000Z";
    expect(withinRetryWindow(created, new Date("2026-12-03T23:59:00Z"))).toBe(true);
    expect(withinRetryWindow(created, new Date("2026-12-04T00:00:01Z"))).toBe(false);
  });
  it("takes https URLs, http only when allowed, never credentials in the URL", () => {
    expect(checkEndpointUrl("https://shop.example/hooks", false)).toBe("https://shop.example/hooks");
    expect(checkEndpointUrl("http://shop.example/hooks", false)).toBeNull();
    expect(checkEndpointUrl("http://127.0.0.1:9/x", true)).toBe("http://127.0.0.1:9/x");
    expect(checkEndpointUrl("https://u:p@shop.example/", false)).toBeNull();
    expect(checkEndpointUrl("not a url", true)).toBeNull();
  });
});
