import type { HostOrder, HostOrderLine } from "../../connectors/host-connector.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import type { TestServices } from "./test-services.ts";

const actor = { type: "cli" as const };

async function* textSource(text: string) {
  yield new TextEncoder().encode(text);
}

/** Imports these codes into the pool through the real import path. */
export async function stockPool(s: TestServices, accountId: string, poolId: string, codes: string[]): Promise<void> {
  const r = await importKeys(s, { accountId, poolId, format: "txt", actor, source: textSource(codes.join("\n") + "\n") });
  if (r.added !== codes.length) throw new Error(`stocked ${r.added} of ${codes.length}`);
}

export interface Shop {
  accountId: string;
  store: Store;
  poolId: string;
}

/** An account with one store and one pool mapped to product "P1" (every variant). */
export async function makeShop(
  s: TestServices,
  opts: { platform?: "shopify" | "woocommerce"; domain?: string; refundPolicy?: "revoke" | "return_if_unseen"; unitsPerItem?: number; sendEmail?: boolean } = {},
): Promise<Shop> {
  const account = await createAccount(s.db, { name: "Merchant", alertEmail: "alerts@example.com" });
  const platform = opts.platform ?? "shopify";
  const store = await insertStore(s.db, { accountId: account.id, platform, domain: opts.domain ?? `shop-${account.id.slice(0, 8)}.myshopify.com`, name: "Test shop" });
  if (opts.sendEmail !== undefined) {
    await s.db.updateTable("stores").set({ settings: JSON.stringify({ sendEmail: opts.sendEmail }) }).where("id", "=", store.id).execute();
    store.settings = JSON.stringify({ sendEmail: opts.sendEmail });
  }
  const pool = await createPool(s, account.id, { name: "Game card", refundPolicy: opts.refundPolicy ?? "revoke" }, actor);
  await upsertMapping(s.db, { accountId: account.id, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Game card", unitsPerItem: opts.unitsPerItem ?? 1, syncStock: true });
  return { accountId: account.id, store, poolId: pool.id };
}

let seq = 1000;

/** A paid host order for product P1 (and any extra lines). */
export function paidOrder(opts: { id?: string; quantity?: number; refunded?: number; status?: HostOrder["status"]; lines?: HostOrderLine[]; email?: string; customerId?: string | null; confirmationNumber?: string | null } = {}): HostOrder {
  const id = opts.id ?? String(++seq);
  return {
    externalId: id,
    name: `#${id}`,
    email: opts.email ?? "buyer@example.com",
    customerName: "Ada Buyer",
    customerId: opts.customerId ?? null,
    confirmationNumber: opts.confirmationNumber ?? null,
    locale: "en",
    currency: "USD",
    totalMinor: 2000,
    financialStatus: "paid",
    status: opts.status ?? "paid",
    placedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    riskRecommendation: null,
    lines: opts.lines ?? [
      { externalLineId: `${id}-1`, productId: "P1", variantId: "V1", title: "Game card", quantity: opts.quantity ?? 1, refundedQuantity: opts.refunded ?? 0, unitPriceMinor: 2000 },
    ],
  };
}
