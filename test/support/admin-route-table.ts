import type { Permission } from "../../app/.server/domain/roles.ts";

/**
 * Every standalone admin route and intent, once: the role matrix sends each as every role, the
 * tenant matrix sends each with another account's object ids. A row names the permission it needs
 * and builds its form from the ids it is given.
 */

export interface Ids {
  pool: string;
  store: string;
  order: string;
  keyId: string;
  adminId: string;
  /** Real ids of further objects, for the tenant matrix; the role matrix leaves them out and asks for ids that do not exist. */
  batch?: string;
  mapping?: string;
  invitation?: string;
  session?: string;
  job?: string;
  allocation?: string;
  /** An order the account's risk rules hold for review (the role matrix uses `order`, not held: the request is refused or answered "not held"). */
  heldOrder?: string;
  rule?: string;
  listEntry?: string;
  reseller?: string;
  /** One of that reseller's API tokens. */
  resellerToken?: string;
}

export interface Row {
  /** The route as routes.ts names it (checked against app/routes below). */
  route: string;
  method: "GET" | "POST";
  /** What the request asks for; "signed_in" pages are every member's own (sessions, password). */
  needs: Permission | "signed_in";
  fields?: (ids: Ids) => Record<string, string>;
  headers?: Record<string, string>;
}

export const ROWS: Row[] = [
  { route: "/admin", method: "GET", needs: "dashboard.view" },
  { route: "/admin/pools", method: "GET", needs: "pools.view" },
  { route: "/admin/pools/new", method: "GET", needs: "pools.manage" },
  { route: "/admin/pools/new", method: "POST", needs: "pools.manage", fields: () => ({ name: "" }) },
  { route: "/admin/pools/:poolId", method: "GET", needs: "pools.view" },
  { route: "/admin/pools/:poolId", method: "POST", needs: "pools.manage", fields: () => ({ intent: "unarchive" }) },
  { route: "/admin/pools/:poolId", method: "POST", needs: "pools.manage", fields: (ids) => ({ intent: "voidBatch", batchId: ids.batch ?? "no-such-batch" }) },
  { route: "/admin/pools/:poolId", method: "POST", needs: "keys.find", fields: () => ({ intent: "find", code: "NOT-A-KEY" }) },
  { route: "/admin/pools/:poolId", method: "POST", needs: "keys.reveal", fields: (ids) => ({ intent: "reveal", keyId: ids.keyId }) },
  { route: "/admin/pools/:poolId/edit", method: "GET", needs: "pools.manage" },
  { route: "/admin/pools/:poolId/edit", method: "POST", needs: "pools.manage", fields: () => ({ name: "" }) },
  { route: "/admin/pools/:poolId/import", method: "GET", needs: "imports.run" },
  { route: "/admin/pools/:poolId/import", method: "POST", needs: "imports.run", fields: () => ({ intent: "preview" }) },
  { route: "/admin/pools/:poolId/import/upload", method: "POST", needs: "imports.run", fields: () => ({}) },
  { route: "/admin/pools/:poolId/export", method: "GET", needs: "keys.export" },
  { route: "/admin/pools/:poolId/export", method: "POST", needs: "keys.export", fields: () => ({ plaintext: "on" }) },
  { route: "/admin/stores", method: "GET", needs: "stores.view" },
  { route: "/admin/stores", method: "POST", needs: "stores.manage", fields: () => ({ intent: "connect", url: "not a url", consumerKey: "x", consumerSecret: "y" }) },
  { route: "/admin/stores", method: "POST", needs: "stores.manage", fields: (ids) => ({ intent: "settings", storeId: ids.store, sendEmail: "on" }) },
  { route: "/admin/stores", method: "POST", needs: "stores.link", fields: () => ({ intent: "link-code" }) },
  { route: "/admin/stores", method: "POST", needs: "stores.link", fields: () => ({ intent: "link", storeId: "no-such-store", code: "XXXXX-XXXXX" }) },
  { route: "/admin/stores", method: "POST", needs: "stores.link", fields: () => ({ intent: "split", storeId: "no-such-store" }) },
  { route: "/admin/stores/:storeId/products", method: "GET", needs: "mappings.view" },
  { route: "/admin/stores/:storeId/products", method: "POST", needs: "mappings.manage", fields: () => ({ intent: "map", productId: "", poolId: "" }) },
  { route: "/admin/stores/:storeId/products", method: "POST", needs: "mappings.manage", fields: (ids) => ({ intent: "unmap", mappingId: ids.mapping ?? "no-such-mapping" }) },
  { route: "/admin/stores/:storeId/products", method: "POST", needs: "mappings.manage", fields: (ids) => ({ intent: "sync", mappingId: ids.mapping ?? "no-such-mapping" }) },
  { route: "/admin/stores/:storeId/products", method: "POST", needs: "stores.manage", fields: () => ({ intent: "location", locationId: "no-such-location" }) },
  { route: "/admin/orders", method: "GET", needs: "orders.view" },
  { route: "/admin/orders", method: "POST", needs: "orders.view", fields: () => ({ intent: "search", q: "5001" }) },
  { route: "/admin/orders", method: "POST", needs: "orders.rerun", fields: (ids) => ({ intent: "rerun", storeId: ids.store, orderName: "" }) },
  { route: "/admin/orders/:orderId", method: "GET", needs: "orders.view" },
  { route: "/admin/orders/:orderId", method: "POST", needs: "keys.reveal_in_order", fields: (ids) => ({ intent: "reveal", keyId: ids.keyId }) },
  { route: "/admin/orders/:orderId", method: "POST", needs: "orders.resend", fields: () => ({ intent: "resend" }) },
  { route: "/admin/orders/:orderId", method: "POST", needs: "orders.rerun", fields: (ids) => ({ intent: "retry", jobId: ids.job ?? "999999" }) },
  { route: "/admin/orders/:orderId", method: "POST", needs: "orders.revoke", fields: (ids) => ({ intent: "revoke", allocationId: ids.allocation ?? "999999" }) },
  // The offer after a dispute: block the buyer's email / IP (block-list entries).
  { route: "/admin/orders/:orderId", method: "POST", needs: "risk.manage", fields: () => ({ intent: "dispute-answer", blockEmail: "on", blockIp: "on" }) },
  { route: "/admin/team", method: "GET", needs: "team.manage" },
  { route: "/admin/team", method: "POST", needs: "team.manage", fields: (ids) => ({ intent: "revoke", invitationId: ids.invitation ?? "no-such-invitation" }) },
  // A role escalating itself: every non-owner asks to become owner.
  { route: "/admin/team", method: "POST", needs: "team.manage", fields: (ids) => ({ intent: "role", memberKind: "admin", memberId: ids.adminId, role: "owner" }) },
  { route: "/admin/settings", method: "GET", needs: "settings.manage" },
  { route: "/admin/settings", method: "POST", needs: "settings.manage", fields: () => ({ intent: "save", "account.timezone": "Mars/Olympus_Mons" }) },
  { route: "/admin/settings", method: "POST", needs: "settings.manage", fields: () => ({ intent: "smtp-test" }) },
  { route: "/admin/settings", method: "POST", needs: "settings.manage", fields: (ids) => ({ intent: "template-preview", poolId: ids.pool }) },
  { route: "/admin/settings", method: "POST", needs: "settings.manage", fields: (ids) => ({ intent: "template-save", poolId: ids.pool, subject: "" }) },
  { route: "/admin/risk/reviews", method: "GET", needs: "orders.view" },
  { route: "/admin/risk/reviews", method: "POST", needs: "orders.view", fields: () => ({ intent: "search", q: "5001" }) },
  { route: "/admin/risk/reviews", method: "POST", needs: "reviews.decide", fields: (ids) => ({ intent: "approve", orderId: ids.heldOrder ?? ids.order, reason: "matrix" }) },
  { route: "/admin/risk/reviews", method: "POST", needs: "reviews.decide", fields: (ids) => ({ intent: "deny", orderId: ids.heldOrder ?? ids.order, reason: "matrix" }) },
  { route: "/admin/risk/rules", method: "GET", needs: "orders.view" },
  // Forms that change nothing when allowed: a condition that does not parse, a value that is not an email.
  { route: "/admin/risk/rules", method: "POST", needs: "risk.manage", fields: () => ({ intent: "add", when: "nonsense > 1", then: "review" }) },
  { route: "/admin/risk/rules", method: "POST", needs: "risk.manage", fields: () => ({ intent: "test", when: "keys > 1", days: "30" }) },
  { route: "/admin/risk/rules", method: "POST", needs: "risk.manage", fields: (ids) => ({ intent: "remove", ruleId: ids.rule ?? "no-such-rule" }) },
  { route: "/admin/risk/rules", method: "POST", needs: "risk.manage", fields: (ids) => ({ intent: "move", ruleId: ids.rule ?? "no-such-rule", direction: "up" }) },
  { route: "/admin/risk/rules", method: "POST", needs: "risk.manage", fields: () => ({ intent: "list-add", kind: "email", action: "block", values: "not-an-email" }) },
  { route: "/admin/risk/rules", method: "POST", needs: "risk.manage", fields: (ids) => ({ intent: "list-remove", entryId: ids.listEntry ?? "no-such-entry" }) },
  { route: "/admin/reports", method: "GET", needs: "reports.view" },
  { route: "/admin/reports", method: "POST", needs: "reports.view", fields: () => ({ from: "2026-11-01", to: "2026-11-30" }) },
  { route: "/admin/reports", method: "POST", needs: "pools.manage", fields: (ids) => ({ intent: "restock", poolId: ids.pool, leadTimeDays: "5" }) },
  { route: "/admin/reports/export", method: "GET", needs: "reports.view" },
  { route: "/admin/audit", method: "GET", needs: "audit.view" },
  { route: "/admin/audit/export", method: "GET", needs: "audit.view" },
  { route: "/admin/resellers", method: "GET", needs: "resellers.manage" },
  { route: "/admin/resellers", method: "POST", needs: "resellers.manage", fields: () => ({ intent: "create", name: "" }) },
  { route: "/admin/resellers", method: "POST", needs: "resellers.manage", fields: (ids) => ({ intent: "suspend", resellerId: ids.reseller ?? "no-such-reseller" }) },
  { route: "/admin/resellers/:resellerId", method: "GET", needs: "resellers.manage" },
  // Each intent of the reseller's page; the amounts are valid, so an allowed role's request reaches the reseller lookup.
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: () => ({ intent: "profile", name: "Taken over", email: "taken@example.com" }) },
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: (ids) => ({ intent: "price-set", poolId: ids.pool, price: "0.01" }) },
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: (ids) => ({ intent: "price-remove", poolId: ids.pool }) },
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: () => ({ intent: "topup", amount: "1000" }) },
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: () => ({ intent: "adjust", amount: "-1", note: "matrix" }) },
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: () => ({ intent: "credit-limit", creditLimit: "99999" }) },
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: () => ({ intent: "token-create", scopes: "catalog:read" }) },
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: (ids) => ({ intent: "token-revoke", tokenId: ids.resellerToken ?? "no-such-token" }) },
  { route: "/admin/resellers/:resellerId", method: "POST", needs: "resellers.manage", fields: () => ({ intent: "suspend" }) },
  { route: "/admin/sessions", method: "GET", needs: "signed_in" },
  { route: "/admin/sessions", method: "POST", needs: "signed_in", fields: (ids) => ({ intent: "end", sessionId: ids.session ?? "no-such-session" }) },
  { route: "/admin/password", method: "GET", needs: "signed_in" },
  { route: "/admin/two-factor", method: "GET", needs: "signed_in" },
  { route: "/admin/two-factor", method: "POST", needs: "signed_in", fields: () => ({ intent: "start" }) },
  { route: "/admin/two-factor", method: "POST", needs: "team.manage", fields: () => ({ intent: "requireOwners", requireOwners: "off" }) },
  { route: "/admin/locale", method: "POST", needs: "signed_in", fields: () => ({ locale: "en" }) },
];

/** routes/admin.pools.$poolId.import.upload.ts → /admin/pools/:poolId/import/upload */
export function routeOfFile(file: string): string {
  const parts = file.replace(/\.(tsx|ts)$/, "").split(".").filter((p) => p !== "_index");
  return "/" + parts.map((p) => (p.startsWith("$") ? `:${p.slice(1)}` : p)).join("/");
}

export function urlOf(row: Row, ids: Ids): string {
  return row.route.replace(":poolId", ids.pool).replace(":storeId", ids.store).replace(":orderId", ids.order).replace(":resellerId", ids.reseller ?? "no-such-reseller");
}
