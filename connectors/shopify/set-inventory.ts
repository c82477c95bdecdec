import crypto from "node:crypto";
import type { InventoryFailure, InventoryItem, InventoryLevel, InventoryWriteResult } from "../host-connector.ts";
import { checkUserErrors, type AdminClient } from "./admin-client.ts";
import { userErrorsError, type UserError } from "./admin-errors.ts";
import { INVENTORY_ITEM_UPDATE_MUTATION } from "./graphql/inventory-item-update-mutation.ts";
import { INVENTORY_BATCH } from "./graphql/inventory-levels-query.ts";
import { INVENTORY_SET_QUANTITIES_MUTATION } from "./graphql/inventory-set-quantities-mutation.ts";
import { readVariantLevels, syncLocation, type VariantLevel } from "./read-inventory.ts";

const STALE_ATTEMPTS = 3;

interface Batch {
  wanted: Map<string, number>;
  productOf: Map<string, string>;
  location: string;
  result: InventoryWriteResult;
}

/**
 * Sets each variant's `available` quantity at one location (the store's chosen one, else the
 * shop's primary location). Per batch: read the current quantities, write them with
 * changeFromQuantity (compare-and-swap) under a fresh idempotency key per write, and on
 * CHANGE_FROM_QUANTITY_STALE (someone changed stock between our read and write) read and write
 * again. Shopify applies a batch all or nothing, so an item-specific userError drops that item
 * (reported in `failed`) and the rest are written again. Untracked items get tracking turned on
 * first: Shopify ignores the quantities of an untracked item when selling.
 */
export async function setShopifyInventory(client: AdminClient, levels: InventoryLevel[], locationId: string | null): Promise<InventoryWriteResult> {
  const result: InventoryWriteResult = { failed: [], trackingEnabled: [] };
  const wanted = new Map<string, number>();
  const productOf = new Map<string, string>();
  for (const l of levels) {
    if (!l.variantId) result.failed.push({ productId: l.productId, variantId: null, kind: "invalid", reason: "a Shopify product's stock is kept on its variants: map a variant" });
    else if (!Number.isInteger(l.quantity) || l.quantity < 0) result.failed.push({ productId: l.productId, variantId: l.variantId, kind: "invalid", reason: "quantity must be a whole number ≥ 0" });
    else {
      wanted.set(l.variantId, l.quantity); // the last level for a variant wins
      productOf.set(l.variantId, l.productId);
    }
  }
  if (wanted.size === 0) return result;
  const batch: Batch = { wanted, productOf, location: await syncLocation(client, locationId), result };
  const ids = [...wanted.keys()];
  for (let i = 0; i < ids.length; i += INVENTORY_BATCH) await setBatch(client, ids.slice(i, i + INVENTORY_BATCH), batch);
  return result;
}

async function setBatch(client: AdminClient, variantIds: string[], b: Batch): Promise<void> {
  const item = (variantId: string): InventoryItem => ({ productId: b.productOf.get(variantId)!, variantId });
  let pending = variantIds;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const read = await readVariantLevels(client, pending, b.location, (v) => b.productOf.get(v)!);
    b.result.failed.push(...read.failed);
    for (const l of read.levels.filter((x) => !x.tracked)) {
      await enableTracking(client, l);
      b.result.trackingEnabled.push(item(l.variantId));
    }
    const changes = read.levels.filter((c) => c.available !== b.wanted.get(c.variantId));
    if (changes.length === 0) return;
    const input = {
      name: "available",
      reason: "correction",
      referenceDocumentUri: "gid://keyrelay/StockSync/pool-availability",
      quantities: changes.map((c) => ({ inventoryItemId: c.inventoryItemId, locationId: b.location, quantity: b.wanted.get(c.variantId)!, changeFromQuantity: c.available })),
    };
    // One key per write: the client's own retries of this request (throttled) resend it with the
    // same key, so Shopify applies it once. Not a hash of the request: the same change made again
    // later (5 → 0, restocked by hand, 5 → 0) would reuse the first write's key, and Shopify would
    // answer it as a replay and change nothing. A lost answer is safe without the key too: the job
    // reads again, and changeFromQuantity refuses a write whose "from" is no longer true.
    const idempotencyKey = crypto.randomUUID();
    const data = await client.request<{ inventorySetQuantities: { userErrors: (UserError & { code: string | null })[] } | null }>(
      "inventorySetQuantities",
      INVENTORY_SET_QUANTITIES_MUTATION,
      { input, idempotencyKey },
    );
    const errors = data.inventorySetQuantities?.userErrors ?? [];
    if (errors.length === 0) return;
    const stale = errors.some((e) => e.code === "CHANGE_FROM_QUANTITY_STALE");
    const badItems = new Map<number, UserError & { code: string | null }>();
    for (const e of errors) {
      const index = e.field?.[0] === "input" && e.field[1] === "quantities" ? Number(e.field[2]) : NaN;
      if (e.code !== "CHANGE_FROM_QUANTITY_STALE" && Number.isInteger(index) && changes[index] && !badItems.has(index)) badItems.set(index, e);
    }
    if (!stale && badItems.size === 0) throw userErrorsError("inventorySetQuantities", errors);
    for (const [i, e] of badItems) {
      const kind = e.code === "INVALID_INVENTORY_ITEM" ? "not_found" : "invalid";
      b.result.failed.push({ ...item(changes[i].variantId), kind, reason: e.message });
    }
    if (attempt >= STALE_ATTEMPTS) {
      for (const [i, c] of changes.entries()) {
        if (!badItems.has(i)) b.result.failed.push({ ...item(c.variantId), kind: "retryable", reason: "stock kept changing on Shopify while it was being set; will retry" } satisfies InventoryFailure);
      }
      return;
    }
    const dropped = new Set([...badItems.keys()].map((i) => changes[i].variantId));
    pending = changes.map((c) => c.variantId).filter((v) => !dropped.has(v));
  }
}

async function enableTracking(client: AdminClient, level: VariantLevel): Promise<void> {
  const data = await client.request<{ inventoryItemUpdate: { userErrors: UserError[] } | null }>("inventoryItemUpdate", INVENTORY_ITEM_UPDATE_MUTATION, {
    id: level.inventoryItemId,
    input: { tracked: true },
  });
  checkUserErrors("inventoryItemUpdate", data.inventoryItemUpdate);
}
