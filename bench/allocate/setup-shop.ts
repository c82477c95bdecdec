import { loadConfig } from "../../app/.server/config.ts";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { storeOfflineSession } from "../../test/support/shopify-fixtures.ts";
import { dropReportTriggers } from "../report-triggers.ts";
import { applyBenchRiskRules, type BenchRiskRules } from "../risk/bench-rules.ts";
import { BENCH_PRODUCT_ID } from "./order-payload.ts";

export interface BenchShop {
  shop: string;
  accountId: string;
  storeId: string;
  poolId: string;
}

const actor = { type: "cli" as const };

async function* keyCodes(n: number) {
  const chunk = 10_000;
  for (let i = 0; i < n; i += chunk) {
    let text = "";
    for (let j = i; j < Math.min(n, i + chunk); j++) text += `BENCH-${String(j).padStart(10, "0")}\n`;
    yield new TextEncoder().encode(text);
  }
}

/**
 * The merchant as the server will find it, written before the server starts, through the app's
 * own use-cases on the same database: an installed Shopify shop with its offline session, one
 * pool holding `keys` keys (through the real import), the bench product mapped to it.
 */
export async function setupShop(env: Record<string, string>, shop: string, keys: number, opts: { reportTriggers?: boolean; riskRules?: BenchRiskRules } = {}): Promise<BenchShop> {
  const s = await createServices(loadConfig({ ...env, LOG_LEVEL: "warn" }));
  try {
    const store = await installShopifyShop(s, { shop });
    await storeOfflineSession(s as never, shop);
    const pool = await createPool(s, store.account_id, { name: "Bench card", refundPolicy: "revoke" }, actor);
    await upsertMapping(s.db, {
      accountId: store.account_id,
      storeId: store.id,
      poolId: pool.id,
      productId: String(BENCH_PRODUCT_ID),
      variantId: null,
      title: "Game card",
      unitsPerItem: 1,
      syncStock: true,
    });
    const r = await importKeys(s, { accountId: store.account_id, poolId: pool.id, format: "txt", actor, source: keyCodes(keys) });
    if (r.added !== keys) throw new Error(`stocked ${r.added} of ${keys} keys`);
    // --no-report-triggers: the order path as it was before the reports (issue 15), to price them.
    if (opts.reportTriggers === false) await dropReportTriggers(s.db, s.database.dialect);
    // --risk-rules: the install's default rules (as a merchant has them), none, or 20 more (issue 13's budget).
    await applyBenchRiskRules(s, store.account_id, opts.riskRules ?? "defaults");
    return { shop, accountId: store.account_id, storeId: store.id, poolId: pool.id };
  } finally {
    await s.close();
  }
}
