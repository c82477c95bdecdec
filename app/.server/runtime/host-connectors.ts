import type { HostConnector } from "../../../connectors/host-connector.ts";
import { createShopifyConnector } from "../../../connectors/shopify/index.ts";
import { createWooCommerceConnector } from "../../../connectors/woocommerce/index.ts";
import type { Config } from "../config.ts";
import type { KeyCipher } from "../crypto/key-cipher.ts";
import { openWooCommerceCredentials } from "../crypto/woocommerce-credentials.ts";
import type { HostConnectors } from "../ports.ts";
import { KyselySessionStorage } from "../db/repositories/shopify-session-storage.ts";
import type { Store } from "../db/schema.ts";
import { PermanentError } from "../domain/errors.ts";
import { parseStoreSettings } from "../domain/store-settings.ts";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import type { MetricsRecorder } from "../metrics/metrics-port.ts";
import { observedFetch } from "../metrics/observed-fetch.ts";

/**
 * Builds a connector per store from what the database holds: Shopify's offline access token (from
 * the session storage, sealed) or the WooCommerce store's sealed REST credentials.
 */
export function createHostConnectors(deps: { db: Kysely<Database>; cipher: KeyCipher; config: Config; metrics?: Pick<MetricsRecorder, "hostRequest"> }): HostConnectors {
  const sessions = new KyselySessionStorage(deps.db, deps.cipher);
  return {
    async forStore(store) {
      if (store.platform === "shopify") {
        const session = await sessions.loadSession(`offline_${store.domain}`);
        if (!session?.accessToken) throw new PermanentError("store_not_authorized", `no access token for ${store.domain}: the app must be (re)installed`);
        return createShopifyConnector({
          shop: store.domain,
          accessToken: session.accessToken,
          adminOrigin: deps.config.hosts.shopifyAdminOrigin,
          timeoutMs: deps.config.hosts.requestTimeoutMs,
          locationId: parseStoreSettings(store.settings).inventoryLocationId,
          ...(deps.metrics ? { fetch: observedFetch("shopify", deps.metrics) } : {}),
        });
      }
      const creds = openWooCommerceCredentials(deps.cipher, store);
      if (!creds) throw new PermanentError("store_not_authorized", `store ${store.domain} has no REST credentials`);
      return createWooCommerceConnector({
        url: store.domain,
        consumerKey: creds.consumerKey,
        consumerSecret: creds.consumerSecret,
        timeoutMs: deps.config.hosts.requestTimeoutMs,
        webhookId: store.host_webhook_id,
        deliveryUrl: `${deps.config.appUrl}/webhooks/woocommerce/${store.id}`,
        ...(deps.metrics ? { fetch: observedFetch("woocommerce", deps.metrics) } : {}),
      });
    },
  };
}
