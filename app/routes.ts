import { index, layout, route, type RouteConfig } from "@react-router/dev/routes";

export default [
  index("routes/home.ts"),
  route("healthz", "routes/healthz.ts"),
  route("readyz", "routes/readyz.ts"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.ts"),
  // Standalone admin (WooCommerce-only merchants): cookie login.
  route("admin", "routes/admin.tsx", [index("routes/admin._index.tsx"), route("locale", "routes/admin.locale.ts")]),
  // Embedded in the Shopify admin: App Bridge session tokens; the same pages.
  route("app", "routes/app.tsx", [index("routes/app._index.tsx")]),
  route("auth/*", "routes/auth.$.tsx"),
  route("webhooks/shopify", "routes/webhooks.shopify.ts"),
  route("webhooks/woocommerce/:storeId", "routes/webhooks.woocommerce.$storeId.ts"),
] satisfies RouteConfig;
