import crypto from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { API_KEY, API_SECRET_KEY, getJwt } from "@shopify/shopify-api/test-helpers";
import { KyselySessionStorage } from "../../app/.server/db/repositories/shopify-session-storage.ts";
import type { Services } from "../../app/.server/ports.ts";

export const SHOPIFY_ENV = {
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET_KEY,
  SHOPIFY_APP_URL: "https://keyrelay.example",
};

export const SCOPES = "read_orders,write_orders,read_products,read_inventory,write_inventory,read_locations,read_shopify_payments_disputes";

/** A signed Shopify webhook request, as Shopify sends it. */
export function shopifyWebhook(url: string, opts: { shop: string; topic: string; body: string; eventId?: string; webhookId?: string; secret?: string }) {
  const hmac = crypto.createHmac("sha256", opts.secret ?? API_SECRET_KEY).update(opts.body).digest("base64");
  return fetch(`${url}/webhooks/shopify`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": hmac,
      "x-shopify-topic": opts.topic,
      "x-shopify-shop-domain": opts.shop,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": opts.webhookId ?? crypto.randomUUID(),
      "x-shopify-event-id": opts.eventId ?? crypto.randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
    body: opts.body,
  });
}

/** An installed shop: the offline session Shopify's token exchange would have stored. */
export async function storeOfflineSession(s: Services, shop: string): Promise<void> {
  const session = new Session({ id: `offline_${shop}`, shop, state: "installed", isOnline: false, scope: SCOPES, accessToken: "shpat_test_token" });
  await new KyselySessionStorage(s.db, s.cipher).storeSession(session);
}

export async function sessionToken(shopName: string, overrides: Record<string, unknown> = {}, secret = API_SECRET_KEY) {
  return (await getJwt(shopName, API_KEY, secret, overrides)).token;
}
