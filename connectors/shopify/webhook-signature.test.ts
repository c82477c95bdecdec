import crypto from "node:crypto";
import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi, WebhookValidationErrorReason } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { verifyShopifyWebhook } from "./webhook-signature.ts";

const SECRET = "test-app-secret";
// The library's own check, the one authenticate.webhook runs: ours must agree with it on every case.
const library = shopifyApi({ apiKey: "k", apiSecretKey: SECRET, apiVersion: ApiVersion.October26, hostName: "app.example", isEmbeddedApp: true, logger: { level: 0 } });

function delivery(over: { body?: string; secret?: string; drop?: string[]; hmac?: string } = {}) {
  const body = over.body ?? JSON.stringify({ id: 820982911946154508, name: "#1001", note: "— ünïcødé —" });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-hmac-sha256": over.hmac ?? crypto.createHmac("sha256", over.secret ?? SECRET).update(body).digest("base64"),
    "x-shopify-topic": "orders/paid",
    "x-shopify-shop-domain": "shop-a.myshopify.com",
    "x-shopify-api-version": "2026-10",
    "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    "x-shopify-event-id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
    "x-shopify-triggered-at": "2026-11-30T10:00:00.000Z",
  };
  for (const h of over.drop ?? []) delete headers[h];
  return { headers: new Headers(headers), rawBody: Buffer.from(body) };
}

async function libraryAnswer(req: ReturnType<typeof delivery>): Promise<number> {
  const check = await library.webhooks.validate({ rawBody: req.rawBody.toString("utf8"), rawRequest: new Request("https://app.example/webhooks/shopify", { method: "POST", headers: req.headers }) });
  if (check.valid) return 200;
  return check.reason === WebhookValidationErrorReason.InvalidHmac ? 401 : 400;
}

function ourAnswer(req: ReturnType<typeof delivery>): number {
  const r = verifyShopifyWebhook(req, SECRET);
  if (r.kind === "verified") return 200;
  return r.reason === "bad_signature" ? 401 : 400;
}

describe("verifyShopifyWebhook", () => {
  const cases: [string, ReturnType<typeof delivery>][] = [
    ["a genuine delivery", delivery()],
    ["a body signed with another secret", delivery({ secret: "someone-else" })],
    ["a signature of other bytes", delivery({ hmac: crypto.createHmac("sha256", SECRET).update("{}").digest("base64") })],
    ["a signature that is not base64", delivery({ hmac: "not-a-signature" })],
    ["no signature", delivery({ drop: ["x-shopify-hmac-sha256"] })],
    ["an empty body", delivery({ body: "" })],
    ["no topic", delivery({ drop: ["x-shopify-topic"] })],
    ["no shop domain", delivery({ drop: ["x-shopify-shop-domain"] })],
    ["no API version", delivery({ drop: ["x-shopify-api-version"] })],
    ["no webhook id", delivery({ drop: ["x-shopify-webhook-id"] })],
  ];
  it.each(cases)("answers %s as the library's validate does", async (_name, req) => {
    expect(ourAnswer(req)).toBe(await libraryAnswer(req));
  });

  it("names the verified event from the headers, over the exact bytes", () => {
    const r = verifyShopifyWebhook(delivery(), SECRET);
    expect(r.kind).toBe("verified");
    if (r.kind !== "verified") return;
    expect(r.event).toMatchObject({ platform: "shopify", topic: "orders/paid", source: "shop-a.myshopify.com", triggeredAt: "2026-11-30T10:00:00.000Z" });
    expect(r.event.dedupeKey).toBe("shopify:shop-a.myshopify.com:orders/paid:event:98880550-7158-44d4-b7cd-2c97c8a091b5");
  });

  it("refuses a signed body that is not a JSON object", () => {
    for (const body of ["not json", "[1,2]", "null"]) {
      const r = verifyShopifyWebhook(delivery({ body }), SECRET);
      expect(r).toMatchObject({ kind: "rejected", reason: "malformed" });
    }
  });
});
