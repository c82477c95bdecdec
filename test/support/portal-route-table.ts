/**
 * Every reseller portal route and intent, once: the portal suite sends each signed out, with an
 * admin's cookie, and as another reseller (same account, and another account) naming the first
 * reseller's objects — each must be refused (a redirect to the portal's login, or 404) and change
 * nothing. `fields` builds the form from the first reseller's object ids.
 */
export interface PortalIds {
  order: string;
  token: string;
  endpoint: string;
  delivery: string;
  pool: string;
}

export interface PortalRow {
  route: string;
  method: "GET" | "POST";
  /** Whether the route names one of the reseller's objects (so another reseller gets 404, not its own page). */
  owned: boolean;
  fields?: (ids: PortalIds) => Record<string, string>;
}

export const PORTAL_ROWS: PortalRow[] = [
  { route: "/portal", method: "GET", owned: false },
  { route: "/portal", method: "POST", owned: false, fields: (ids) => ({ pool: ids.pool, quantity: "1", idempotencyKey: "portal-00000000-0000-4000-8000-000000000001" }) },
  { route: "/portal/orders", method: "GET", owned: false },
  { route: "/portal/orders/:orderId", method: "GET", owned: true },
  { route: "/portal/orders/:orderId", method: "POST", owned: true, fields: () => ({ intent: "reveal" }) },
  { route: "/portal/orders/:orderId/keys", method: "GET", owned: true },
  { route: "/portal/balance", method: "GET", owned: false },
  { route: "/portal/tokens", method: "GET", owned: false },
  { route: "/portal/tokens", method: "POST", owned: true, fields: (ids) => ({ intent: "revoke", tokenId: ids.token }) },
  { route: "/portal/tokens", method: "POST", owned: false, fields: () => ({ intent: "create", name: "x", scope: "catalog:read" }) },
  { route: "/portal/webhooks", method: "GET", owned: false },
  { route: "/portal/webhooks", method: "POST", owned: true, fields: (ids) => ({ intent: "remove", endpointId: ids.endpoint }) },
  { route: "/portal/webhooks", method: "POST", owned: true, fields: (ids) => ({ intent: "replay", deliveryId: ids.delivery }) },
  { route: "/portal/webhooks", method: "POST", owned: false, fields: () => ({ intent: "add", url: "http://127.0.0.1:9/hook" }) },
  { route: "/portal/locale", method: "POST", owned: false, fields: () => ({ locale: "zh-CN" }) },
  { route: "/portal/logout", method: "POST", owned: false, fields: () => ({}) },
];

/** Signed-out pages: open to anyone by design (the login form, the invitation link). */
export const PORTAL_PUBLIC = ["/portal/login", "/portal/invite/:token"];

export function portalUrl(row: PortalRow, ids: PortalIds): string {
  return row.route.replace(":orderId", ids.order);
}
