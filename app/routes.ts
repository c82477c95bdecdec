import { index, layout, route, type RouteConfig } from "@react-router/dev/routes";

/** The key pool pages, the same under both surfaces (standalone /admin and embedded /app). */
function poolRoutes(surface: "admin" | "app") {
  return [
    route("pools", `routes/${surface}.pools._index.tsx`),
    route("pools/new", `routes/${surface}.pools.new.tsx`),
    route("pools/:poolId", `routes/${surface}.pools.$poolId._index.tsx`),
    route("pools/:poolId/edit", `routes/${surface}.pools.$poolId.edit.tsx`),
    route("pools/:poolId/import", `routes/${surface}.pools.$poolId.import.tsx`),
    // Resource routes: the raw-body upload and the CSV download.
    route("pools/:poolId/import/upload", `routes/${surface}.pools.$poolId.import.upload.ts`),
    route("pools/:poolId/export", `routes/${surface}.pools.$poolId.export.ts`),
  ];
}

/** The stores, products & mapping, and orders pages, the same under both surfaces. */
function fulfilmentRoutes(surface: "admin" | "app") {
  return [
    route("stores", `routes/${surface}.stores._index.tsx`),
    route("stores/:storeId/products", `routes/${surface}.stores.$storeId.products.tsx`),
    route("orders", `routes/${surface}.orders._index.tsx`),
    route("orders/:orderId", `routes/${surface}.orders.$orderId.tsx`),
    route("team", `routes/${surface}.team.tsx`),
    route("settings", `routes/${surface}.settings.tsx`),
    // Risk control (issue 13): the review queue of held orders, the rules and allow / block lists.
    route("risk/reviews", `routes/${surface}.risk.reviews.tsx`),
    route("risk/rules", `routes/${surface}.risk.rules.tsx`),
    route("reports", `routes/${surface}.reports.tsx`),
    route("reports/export", `routes/${surface}.reports.export.ts`),
    route("audit", `routes/${surface}.audit.tsx`),
    route("audit/export", `routes/${surface}.audit.export.ts`),
    // The merchant's side of the reseller API (issue 14).
    route("resellers", `routes/${surface}.resellers._index.tsx`),
    route("resellers/:resellerId", `routes/${surface}.resellers.$resellerId.tsx`),
  ];
}

export default [
  index("routes/home.ts"),
  route("healthz", "routes/healthz.ts"),
  route("readyz", "routes/readyz.ts"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.ts"),
  // The second step of a sign-in with two-step verification, and "forgot password?" (before there is a session).
  route("login/two-factor", "routes/login.two-factor.tsx"),
  route("forgot-password", "routes/forgot-password.tsx"),
  route("reset-password/:token", "routes/reset-password.$token.tsx"),
  // An invitation link (team members): outside both admins, before there is a login.
  route("invite/:token", "routes/invite.$token.tsx"),
  // Standalone admin (WooCommerce-only merchants): cookie login.
  route("admin", "routes/admin.tsx", [
    index("routes/admin._index.tsx"),
    route("locale", "routes/admin.locale.ts"),
    // The signed-in admin's own sessions and password (standalone only: inside Shopify, Shopify signs in).
    route("sessions", "routes/admin.sessions.tsx"),
    route("password", "routes/admin.password.tsx"),
    route("two-factor", "routes/admin.two-factor.tsx"),
    ...poolRoutes("admin"),
    ...fulfilmentRoutes("admin"),
  ]),
  // Embedded in the Shopify admin: App Bridge session tokens; the same pages.
  route("app", "routes/app.tsx", [index("routes/app._index.tsx"), ...poolRoutes("app"), ...fulfilmentRoutes("app")]),
  route("auth/*", "routes/auth.$.tsx"),
  route("webhooks/shopify", "routes/webhooks.shopify.ts"),
  route("webhooks/woocommerce/:storeId", "routes/webhooks.woocommerce.$storeId.ts"),
  // The buyer's side: the signed key page (any host) and the checkout extension's endpoint.
  route("k/:token", "routes/k.$token.ts"),
  route("api/buyer/orders/:orderId/keys", "routes/api.buyer.orders.$orderId.keys.ts"),
  // The reseller API (issue 14): bearer tokens, JSON, problem+json errors; its OpenAPI document.
  route("api/v1/openapi.json", "routes/api.v1.openapi.ts"),
  // The API reference page (Swagger UI from node_modules: no CDN) and its files.
  route("api/v1/docs", "routes/api.v1.docs.ts"),
  route("api/v1/docs/assets/:version/:file", "routes/api.v1.docs.assets.$version.$file.ts"),
  route("api/v1/catalog", "routes/api.v1.catalog.ts"),
  route("api/v1/orders", "routes/api.v1.orders._index.ts"),
  route("api/v1/orders/:orderId", "routes/api.v1.orders.$orderId.ts"),
  route("api/v1/balance", "routes/api.v1.balance._index.ts"),
  route("api/v1/balance/entries", "routes/api.v1.balance.entries.ts"),
  route("api/v1/webhook-endpoints", "routes/api.v1.webhook-endpoints._index.ts"),
  route("api/v1/webhook-endpoints/:endpointId", "routes/api.v1.webhook-endpoints.$endpointId.ts"),
  // The reseller portal (issue 14, part 6): the reseller's own people, their own login and cookie (never the admin's).
  route("portal/login", "routes/portal.login.tsx"),
  route("portal/logout", "routes/portal.logout.ts"),
  route("portal/locale", "routes/portal.locale.ts"),
  route("portal/invite/:token", "routes/portal.invite.$token.tsx"),
  route("portal/orders/:orderId/keys", "routes/portal.orders.$orderId.keys.ts"),
  route("portal", "routes/portal.tsx", [
    index("routes/portal._index.tsx"),
    route("orders", "routes/portal.orders._index.tsx"),
    route("orders/:orderId", "routes/portal.orders.$orderId.tsx"),
    route("balance", "routes/portal.balance.tsx"),
    route("tokens", "routes/portal.tokens.tsx"),
    route("webhooks", "routes/portal.webhooks.tsx"),
  ]),
] satisfies RouteConfig;
