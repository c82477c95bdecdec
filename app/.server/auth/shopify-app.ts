import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-react-router/server";
import { KyselySessionStorage } from "../db/repositories/shopify-session-storage.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { installShopifyShop } from "../use-cases/install-shopify-shop.ts";

export type ShopifyApp = ReturnType<typeof shopifyApp>;

const apps = new WeakMap<Services, ShopifyApp>();

/** The embedded app's Shopify integration, or an invalid-input error when Shopify is not configured. */
export function shopifyFor(s: Services): ShopifyApp {
  const cfg = s.config.shopify;
  if (!cfg) throw new InvalidInputError("shopify_not_configured", "Shopify is not configured on this server");
  let app = apps.get(s);
  if (!app) {
    app = shopifyApp({
      apiKey: cfg.apiKey,
      apiSecretKey: cfg.apiSecret,
      appUrl: cfg.appUrl,
      scopes: cfg.scopes,
      apiVersion: ApiVersion.October26,
      authPathPrefix: "/auth",
      sessionStorage: new KyselySessionStorage(s.db, s.cipher),
      distribution: AppDistribution.AppStore,
      // The library's own messages go through our logger (one stream, same redaction).
      logger: {
        level: LogSeverity.Warning,
        log: (severity, message) => {
          const log = s.log.child({ component: "shopify" });
          if (severity === LogSeverity.Error) log.error(message);
          else if (severity === LogSeverity.Warning) log.warn(message);
          else log.debug(message);
        },
      },
      hooks: {
        afterAuth: async ({ session }) => {
          await installShopifyShop(s, { shop: session.shop, locale: session.onlineAccessInfo?.associated_user.locale });
        },
      },
    });
    apps.set(s, app);
  }
  return app;
}
