import { HostError, isHostError } from "../host-error.ts";
import { ORDER_TOPIC } from "./check-webhooks.ts";
import { createWooCommerceRestClient, restIndexUrl, type WooCommerceConnection } from "./rest-client.ts";
import type { WcWebhook } from "./wire-types.ts";

export interface WooCommerceStoreInfo {
  /** The site title (WordPress's REST index), null if the index is closed to the public. */
  name: string | null;
  siteUrl: string;
  currency: string | null;
  /** WordPress's locale (system status), e.g. "de_DE"; null if not reported. */
  locale: string | null;
  wooCommerceVersion: string | null;
  /** WooCommerce → Settings → Products → Inventory → "Enable stock management". Off: stock sync cannot work. */
  manageStock: boolean;
}

/**
 * The "connect store" check, with real calls, each failure its own error:
 * - unreachable / timeout → retryable (code `unreachable` / `timeout`);
 * - not a WordPress site with WooCommerce's REST API (HTML, no /wp-json, no wc/v3) → not_host;
 * - wrong or revoked keys → unauthorized (WooCommerce's own code, e.g.
 *   `woocommerce_rest_authentication_error`);
 * - read-only keys → unauthorized with code `read_only_key`.
 *
 * Read-only keys read fine, so write permission is probed with `POST /webhooks/batch` and an empty
 * body: WooCommerce checks the key's permission on every POST before the route runs (401 "The API
 * key provided does not have write permissions."), and the route then needs the
 * manage_woocommerce capability that registering our webhook needs anyway; an empty batch changes
 * nothing.
 */
export async function checkWooCommerceCredentials(conn: WooCommerceConnection): Promise<WooCommerceStoreInfo> {
  const index = await readRestIndex(conn);
  const client = createWooCommerceRestClient(conn);
  const status = await client<{ environment?: { site_url?: string; version?: string; language?: string }; settings?: { currency?: string } }>("GET", "system_status", {
    query: { _fields: "environment,settings" },
  });
  try {
    await client("POST", "webhooks/batch", { body: {} });
  } catch (e) {
    if (isHostError(e) && e.kind === "unauthorized" && e.code !== "woocommerce_rest_authentication_error") {
      // Authenticated, but the key's WordPress user may not manage WooCommerce (woocommerce_rest_cannot_batch).
      throw new HostError("unauthorized", "The WordPress user these keys belong to cannot manage WooCommerce webhooks: create the keys for an administrator", { status: e.status, code: "insufficient_permission" });
    }
    if (isHostError(e) && e.kind === "unauthorized") {
      throw new HostError("unauthorized", "These WooCommerce REST API keys can read but not write: create keys with Read/Write permission (WooCommerce → Settings → Advanced → REST API)", {
        status: e.status,
        code: "read_only_key",
      });
    }
    throw e;
  }
  const manage = await client<{ value?: unknown }>("GET", "settings/products/woocommerce_manage_stock");
  const env = status.body?.environment ?? {};
  return {
    name: index?.name ?? null,
    siteUrl: env.site_url ?? conn.url,
    currency: status.body?.settings?.currency ?? null,
    locale: env.language ?? null,
    wooCommerceVersion: env.version ?? null,
    manageStock: manage.body?.value === "yes",
  };
}

/**
 * GET {site}/wp-json/ without credentials: a WordPress site answers JSON listing its namespaces.
 * A site whose index is closed (401/403 from a security plugin) is given the benefit of the doubt:
 * the authenticated calls decide.
 */
async function readRestIndex(conn: WooCommerceConnection): Promise<{ name: string | null } | null> {
  const doFetch = conn.fetch ?? fetch;
  const timeoutMs = conn.timeoutMs ?? 15_000;
  let res: Response;
  let text: string;
  try {
    res = await doFetch(restIndexUrl(conn.url), { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    text = await res.text();
  } catch (e) {
    const err = e as { name?: string; cause?: { code?: string }; code?: string };
    if (err?.name === "TimeoutError" || err?.name === "AbortError") throw new HostError("retryable", `The store did not answer within ${timeoutMs} ms`, { code: "timeout" });
    const code = err?.cause?.code ?? err?.code ?? "network_error";
    throw new HostError("retryable", `Could not reach the store (${code}): check the address`, { code: "unreachable", cause: new Error(String(code)) });
  }
  if (res.status === 401 || res.status === 403) return null;
  if (res.status >= 300 && res.status < 400) {
    let where = "another address";
    try {
      where = new URL(res.headers.get("location") ?? "", conn.url).origin;
    } catch {
      // generic wording
    }
    throw new HostError("not_host", `The store redirects to ${where}: connect it with that address`, { status: res.status, code: "redirect" });
  }
  if (res.status >= 500) throw new HostError("retryable", `The store answered HTTP ${res.status}: try again later`, { status: res.status });
  let body: { name?: unknown; namespaces?: unknown } | null = null;
  try {
    body = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    body = null;
  }
  if (!body || typeof body !== "object" || !Array.isArray(body.namespaces)) {
    throw new HostError("not_host", "This address does not answer like a WordPress site (no REST API at /wp-json/)", { status: res.status, code: "not_wordpress" });
  }
  if (!body.namespaces.includes("wc/v3")) {
    throw new HostError("not_host", "This WordPress site has no WooCommerce REST API (wc/v3): is WooCommerce installed and active?", { status: res.status, code: "no_woocommerce" });
  }
  return { name: typeof body.name === "string" ? body.name : null };
}

/** Registers keyrelay's webhook (WooCommerce signs deliveries with `secret`); returns its id. */
export async function registerWooCommerceWebhook(
  conn: WooCommerceConnection,
  input: { deliveryUrl: string; secret: string; topic?: string; name?: string },
): Promise<{ id: string; status: string }> {
  const client = createWooCommerceRestClient(conn);
  const { body } = await client<WcWebhook>("POST", "webhooks", {
    body: { name: input.name ?? "keyrelay", topic: input.topic ?? ORDER_TOPIC, delivery_url: input.deliveryUrl, secret: input.secret, status: "active" },
  });
  if (!body || typeof body.id !== "number") throw new HostError("not_host", "WooCommerce did not return the new webhook's id");
  return { id: String(body.id), status: body.status };
}

/** Deletes it for good (webhooks have no trash: `force=true`); one already gone counts as deleted. */
export async function deleteWooCommerceWebhook(conn: WooCommerceConnection, webhookId: string): Promise<void> {
  if (!/^\d+$/.test(webhookId)) throw new HostError("invalid", "WooCommerce webhook ids are numbers");
  const client = createWooCommerceRestClient(conn);
  try {
    await client("DELETE", `webhooks/${webhookId}`, { query: { force: true } });
  } catch (e) {
    if (isHostError(e) && e.kind === "not_found") return;
    throw e;
  }
}
