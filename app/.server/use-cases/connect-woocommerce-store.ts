import crypto from "node:crypto";
import { checkWooCommerceCredentials, registerWooCommerceWebhook, deleteWooCommerceWebhook } from "../../../connectors/woocommerce/index.ts";
import { isHostError, type HostError } from "../../../connectors/host-error.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { insertStore } from "../db/repositories/stores-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { sealWooCommerceCredentials } from "../crypto/woocommerce-credentials.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

export interface ConnectWooCommerceInput {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  /** The secret WooCommerce signs deliveries with; generated when not given. */
  webhookSecret?: string | null;
  /** Register keyrelay's order.updated webhook on the store (default). */
  registerWebhook?: boolean;
}

export interface ConnectedStore {
  id: string;
  name: string;
  url: string;
  webhookUrl: string;
  webhookId: string | null;
  /** WooCommerce's global "manage stock" setting: off means stock sync cannot work. */
  manageStock: boolean;
  currency: string | null;
  /** Created, or an existing connection of this account updated with new keys. */
  created: boolean;
}

/** The site URL as stored: scheme + host (+ sub-directory), no trailing slash, no query. */
export function normaliseStoreUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new InvalidInputError("store_url_invalid", "not a valid URL", { field: "url" });
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new InvalidInputError("store_url_invalid", "the URL must start with https:// or http://", { field: "url" });
  if (u.username || u.password) throw new InvalidInputError("store_url_invalid", "the URL must not contain a user name or password", { field: "url" });
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
}

/** A failed check, as the merchant should read it: which of their inputs is wrong. */
function connectError(e: HostError): InvalidInputError {
  if (e.kind === "unauthorized" && e.code === "read_only_key") return new InvalidInputError("woo_read_only_key", "these REST API keys are read-only: create keys with Read/Write permission", { field: "consumerKey" });
  if (e.kind === "unauthorized") return new InvalidInputError("woo_bad_credentials", "WooCommerce rejected the consumer key or secret", { field: "consumerKey" });
  if (e.kind === "not_host") return new InvalidInputError("woo_not_woocommerce", e.message, { field: "url" });
  if (e.kind === "retryable") return new InvalidInputError("woo_unreachable", "the store could not be reached: check the URL and that the site is online", { field: "url" });
  return new InvalidInputError("woo_refused", e.message, { field: "url" });
}

/**
 * Connects a WooCommerce store: checks the keys with real calls (clear errors for wrong keys,
 * read-only keys, a site that is not WooCommerce, an unreachable host), stores them sealed, and
 * registers keyrelay's webhook on the store. Nothing is written when a check fails. The consumer
 * secret is never returned or shown again.
 */
export async function connectWooCommerceStore(s: Pick<Services, "db" | "cipher" | "config">, accountId: string, input: ConnectWooCommerceInput, actor: Actor): Promise<ConnectedStore> {
  const url = normaliseStoreUrl(input.url);
  const consumerKey = (input.consumerKey ?? "").trim();
  const consumerSecret = (input.consumerSecret ?? "").trim();
  if (!/^ck_[0-9a-f]{20,64}$/i.test(consumerKey)) throw new InvalidInputError("woo_consumer_key_format", "a WooCommerce consumer key starts with ck_", { field: "consumerKey" });
  if (!/^cs_[0-9a-f]{20,64}$/i.test(consumerSecret)) throw new InvalidInputError("woo_consumer_secret_format", "a WooCommerce consumer secret starts with cs_", { field: "consumerSecret" });
  const webhookSecret = input.webhookSecret?.trim() || crypto.randomBytes(24).toString("base64url");
  if (webhookSecret.length < 16) throw new InvalidInputError("woo_webhook_secret_short", "the webhook secret must be at least 16 characters", { field: "webhookSecret" });

  const existing = await s.db.selectFrom("stores").selectAll().where("platform", "=", "woocommerce").where("domain", "=", url).executeTakeFirst();
  if (existing && existing.account_id !== accountId) throw new InvalidInputError("store_taken", "this store is connected to another account", { field: "url" });

  const conn = { url, consumerKey, consumerSecret, timeoutMs: s.config.hosts.requestTimeoutMs };
  let info;
  try {
    info = await checkWooCommerceCredentials(conn);
  } catch (e) {
    if (isHostError(e)) throw connectError(e);
    throw e;
  }

  const storeId = existing?.id ?? crypto.randomUUID();
  const webhookUrl = `${s.config.appUrl}/webhooks/woocommerce/${storeId}`;
  let webhookId: string | null = null;
  if (input.registerWebhook ?? true) {
    try {
      webhookId = (await registerWooCommerceWebhook(conn, { deliveryUrl: webhookUrl, secret: webhookSecret, name: "keyrelay: paid orders" })).id;
    } catch (e) {
      if (isHostError(e)) throw connectError(e);
      throw e;
    }
  }
  const oldWebhook = existing?.host_webhook_id;
  try {
    await s.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      if (!existing) await insertStore(trx, { id: storeId, accountId, platform: "woocommerce", domain: url, name: info.name ?? new URL(url).host });
      const creds = sealWooCommerceCredentials(s.cipher, storeId, { consumerKey, consumerSecret });
      const secret = s.cipher.seal(webhookSecret, storeId);
      await trx
        .updateTable("stores")
        .set({
          name: info.name ?? new URL(url).host,
          credentials_ciphertext: creds.ciphertext,
          credentials_key_id: creds.keyId,
          webhook_secret_ciphertext: secret.ciphertext,
          webhook_secret_key_id: secret.keyId,
          host_webhook_id: webhookId,
          currency: info.currency,
          locale: info.locale,
          status: "active",
          attention: null,
          attention_at: null,
          updated_at: now,
        })
        .where("id", "=", storeId)
        .execute();
      await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: existing ? "store.reconnected" : "store.connected", subjectType: "store", subjectId: storeId, details: { platform: "woocommerce", url, webhookId, manageStock: info.manageStock } });
    });
  } catch (e) {
    // The webhook we just registered points at a store row that does not exist: take it back.
    if (webhookId) await deleteWooCommerceWebhook(conn, webhookId).catch(() => {});
    throw e;
  }
  // A reconnect replaced the webhook: the old one would deliver with a secret we no longer hold.
  if (oldWebhook && webhookId && oldWebhook !== webhookId) await deleteWooCommerceWebhook(conn, oldWebhook).catch(() => {});
  return { id: storeId, name: info.name ?? new URL(url).host, url, webhookUrl, webhookId, manageStock: info.manageStock, currency: info.currency, created: !existing };
}
