import type { StorePlatform, StoreStatus } from "../db/schema.ts";
import { parseStoreSettings, sendsOwnEmail } from "../domain/store-settings.ts";
import type { Services } from "../ports.ts";

export interface StoreSummary {
  id: string;
  platform: StorePlatform;
  name: string;
  /** Shopify: the myshopify domain; WooCommerce: the site URL. */
  domain: string;
  status: StoreStatus;
  /** What needs the merchant's attention (a code such as credentials_rejected), or null. */
  attention: string | null;
  attentionAt: string | null;
  /** WooCommerce: keyrelay's webhook was registered on the store (null for Shopify: the app's own). */
  webhookRegistered: boolean | null;
  reconciledAt: string | null;
  /** Whether keyrelay sends its own delivery email for this store's orders (the setting or the platform's default). */
  sendEmail: boolean;
  currency: string | null;
  createdAt: string;
  /** Product mappings of this store (what splitting it off would remove). */
  mappings: number;
}

/** The account's stores for the admin: no secrets, only what the merchant needs to see. */
export async function listStores(s: Pick<Services, "db">, accountId: string): Promise<StoreSummary[]> {
  const rows = await s.db
    .selectFrom("stores")
    .select(["id", "platform", "name", "domain", "status", "attention", "attention_at", "host_webhook_id", "reconciled_at", "settings", "currency", "created_at"])
    .select((eb) => eb.selectFrom("product_mappings").select((m) => m.fn.countAll<number>().as("n")).whereRef("product_mappings.store_id", "=", "stores.id").as("mappings"))
    .where("account_id", "=", accountId)
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    platform: r.platform,
    name: r.name,
    domain: r.domain,
    status: r.status,
    attention: r.attention,
    attentionAt: r.attention_at,
    webhookRegistered: r.platform === "woocommerce" ? r.host_webhook_id !== null : null,
    reconciledAt: r.reconciled_at,
    sendEmail: sendsOwnEmail(r.platform, parseStoreSettings(r.settings)),
    currency: r.currency,
    createdAt: r.created_at,
    mappings: Number(r.mappings ?? 0),
  }));
}
