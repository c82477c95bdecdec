import type { HostProduct } from "../../../connectors/host-connector.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { deleteMapping, listMappings, upsertMapping } from "../db/repositories/mappings-repo.ts";
import type { ProductMapping, Store } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { hostFailure } from "./host-failure.ts";
import { stageStockSync } from "./schedule-stock-sync.ts";
import type { Actor } from "./manage-pools.ts";

export interface MapProductInput {
  storeId: string;
  productId: string;
  /** null or empty: the whole product (every variant without its own mapping). */
  variantId?: string | null;
  poolId: string;
  /** Keys per item sold (a 3-pack = 3). */
  unitsPerItem?: number;
  title?: string | null;
  syncStock?: boolean;
}

const MAX_UNITS = 1000;

async function storeOf(s: Pick<Services, "db">, accountId: string, storeId: string): Promise<Store> {
  const store = await s.db.selectFrom("stores").selectAll().where("account_id", "=", accountId).where("id", "=", storeId).executeTakeFirst();
  if (!store) throw new InvalidInputError("store_not_found", "no such store", { field: "storeId", params: { id: storeId } });
  return store;
}

/**
 * Maps a host product (or one variant) to a pool: "1 unit of this item = N keys from pool P".
 * Refused for an archived pool, another account's pool or store, or a unit count out of range.
 * Mapping the same item again changes its pool/units (existing orders keep the keys they have).
 */
export async function mapProduct(s: Pick<Services, "db" | "jobs" | "config">, accountId: string, input: MapProductInput, actor: Actor): Promise<ProductMapping> {
  const store = await storeOf(s, accountId, input.storeId);
  const productId = String(input.productId ?? "").trim();
  if (!productId) throw new InvalidInputError("mapping_product_required", "a product id is required", { field: "productId" });
  const units = input.unitsPerItem ?? 1;
  if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS) {
    throw new InvalidInputError("mapping_units", `units per item must be a whole number from 1 to ${MAX_UNITS}`, { field: "unitsPerItem", params: { max: MAX_UNITS } });
  }
  const pool = await s.db.selectFrom("pools").select(["id", "archived_at", "name"]).where("account_id", "=", accountId).where("id", "=", input.poolId).executeTakeFirst();
  if (!pool) throw new InvalidInputError("pool_not_found", "no such pool", { field: "poolId", params: { id: input.poolId } });
  if (pool.archived_at) throw new InvalidInputError("mapping_pool_archived", "an archived pool cannot be mapped", { field: "poolId", params: { name: pool.name } });
  const variantId = input.variantId ? String(input.variantId).trim() || null : null;
  const saved = await s.db.transaction().execute(async (trx) => {
    const mapping = await upsertMapping(trx, {
      accountId,
      storeId: store.id,
      poolId: pool.id,
      productId,
      variantId,
      title: input.title ?? null,
      unitsPerItem: units,
      syncStock: input.syncStock ?? true,
    });
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "mapping.saved", subjectType: "mapping", subjectId: mapping.id, details: { storeId: store.id, productId, variantId, poolId: pool.id, unitsPerItem: units } });
    // A new or changed mapping (pool, units, sync switched on) shows the pool's level on the host.
    const sync = mapping.sync_stock ? await stageStockSync(s, trx, accountId, pool.id) : null;
    return { mapping, sync };
  });
  if (saved.sync) await s.jobs.trigger([saved.sync]);
  return saved.mapping;
}

export async function unmapProduct(s: Pick<Services, "db">, accountId: string, mappingId: string, actor: Actor): Promise<void> {
  if (!(await deleteMapping(s.db, accountId, mappingId))) throw new InvalidInputError("mapping_not_found", "no such mapping", { params: { id: mappingId } });
  await recordAudit(s.db, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "mapping.removed", subjectType: "mapping", subjectId: mappingId });
}

export function listProductMappings(s: Pick<Services, "db">, accountId: string, opts: { storeId?: string; poolId?: string } = {}): Promise<ProductMapping[]> {
  return listMappings(s.db, accountId, opts);
}

/** Browses the store's products and variants through its connector (the mapping screen's search). */
export async function searchHostProducts(s: Pick<Services, "db" | "connectors">, accountId: string, storeId: string, query: string): Promise<HostProduct[]> {
  const store = await storeOf(s, accountId, storeId);
  const connector = await s.connectors.forStore(store);
  try {
    return await connector.listProducts(query.trim().slice(0, 200));
  } catch (e) {
    return hostFailure(s, store, e);
  }
}
