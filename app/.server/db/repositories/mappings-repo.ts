import crypto from "node:crypto";
import type { ProductMapping } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

/**
 * The mapping that decides a line's pool: the variant's own mapping, else the whole product's
 * (variant_id ''). Paused or broken mappings still decide allocation: pausing stops stock sync, and
 * a paid order for a mapped product is always owed its keys.
 */
export async function findMappingForItem(db: Executor, storeId: string, productId: string | null, variantId: string | null): Promise<ProductMapping | undefined> {
  if (!productId) return undefined;
  const rows = await db
    .selectFrom("product_mappings")
    .selectAll()
    .where("store_id", "=", storeId)
    .where("product_id", "=", productId)
    .where("variant_id", "in", variantId ? [variantId, ""] : [""])
    .execute();
  return rows.find((r) => r.variant_id !== "") ?? rows[0];
}

export interface MappingInput {
  accountId: string;
  storeId: string;
  poolId: string;
  productId: string;
  variantId: string | null;
  title: string | null;
  unitsPerItem: number;
  syncStock: boolean;
}

/** Creates the mapping, or changes the pool/units of the existing one for the same item. */
export async function upsertMapping(db: Executor, m: MappingInput): Promise<ProductMapping> {
  const now = new Date().toISOString();
  const changes = { pool_id: m.poolId, units_per_item: m.unitsPerItem, title: m.title, sync_stock: m.syncStock ? (1 as const) : (0 as const), status: "active" as const, updated_at: now };
  return db
    .insertInto("product_mappings")
    .values({
      id: crypto.randomUUID(),
      account_id: m.accountId,
      store_id: m.storeId,
      product_id: m.productId,
      variant_id: m.variantId ?? "",
      last_synced_quantity: null,
      last_synced_at: null,
      last_sync_error: null,
      tracking_enabled_at: null,
      created_at: now,
      ...changes,
    })
    .onConflict((oc) => oc.columns(["store_id", "product_id", "variant_id"]).doUpdateSet(changes))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listMappings(db: Executor, accountId: string, opts: { storeId?: string; poolId?: string } = {}): Promise<ProductMapping[]> {
  let q = db.selectFrom("product_mappings").selectAll().where("account_id", "=", accountId);
  if (opts.storeId) q = q.where("store_id", "=", opts.storeId);
  if (opts.poolId) q = q.where("pool_id", "=", opts.poolId);
  return q.orderBy("created_at").execute();
}

export async function deleteMapping(db: Executor, accountId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom("product_mappings").where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}
