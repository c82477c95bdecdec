import { ensureRuleSet } from "./manage-risk-rules.ts";
import { createAccount } from "../db/repositories/accounts-repo.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findStoreByDomain, insertStore } from "../db/repositories/stores-repo.ts";
import type { Store } from "../db/schema.ts";
import { isUniqueViolation } from "../db/errors.ts";
import type { Services } from "../ports.ts";

/**
 * A shop that installs the app gets an account and a store; a reinstall reactivates the same
 * store (and account), so a merchant's pools survive uninstall/reinstall until shop/redact.
 * A store the merchant disconnected on purpose stays disconnected.
 */
export async function installShopifyShop(s: Pick<Services, "db">, input: { shop: string; locale?: string | null }): Promise<Store> {
  const shop = input.shop.toLowerCase();
  return s.db.transaction().execute(async (trx) => {
    const existing = await findStoreByDomain(trx, "shopify", shop);
    if (existing) {
      if (existing.status === "uninstalled") {
        const now = new Date().toISOString();
        await trx.updateTable("stores").set({ status: "active", installed_at: now, updated_at: now }).where("id", "=", existing.id).execute();
        await recordAudit(trx, { accountId: existing.account_id, actorType: "system", action: "store.reinstalled", subjectType: "store", subjectId: existing.id });
        return { ...existing, status: "active" as const, installed_at: now };
      }
      return existing;
    }
    const locale = input.locale?.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
    const account = await createAccount(trx, { name: shop.replace(/\.myshopify\.com$/, ""), defaultLocale: locale });
    const store = await insertStore(trx, { accountId: account.id, platform: "shopify", domain: shop, name: shop });
    // Risk control's default rules are on from install (README, "Risk control").
    await ensureRuleSet(trx, account.id, new Date().toISOString());
    await recordAudit(trx, { accountId: account.id, actorType: "system", action: "store.installed", subjectType: "store", subjectId: store.id });
    return store;
  }).catch(async (e) => {
    // Two first requests racing: the unique (platform, domain) lets one win; the other reads it.
    if (!isUniqueViolation(e)) throw e;
    const winner = await findStoreByDomain(s.db, "shopify", shop);
    if (winner) return winner;
    throw e;
  });
}
