import crypto from "node:crypto";
import type { InventoryLevel } from "../host-connector.ts";
import { checkUserErrors, type AdminClient } from "./admin-client.ts";
import { userErrorsError, type UserError } from "./admin-errors.ts";
import { fromGid, toGid } from "./gid.ts";
import { INVENTORY_ITEM_UPDATE_MUTATION } from "./graphql/inventory-item-update-mutation.ts";
import { INVENTORY_BATCH, INVENTORY_LEVELS_QUERY } from "./graphql/inventory-levels-query.ts";
import { INVENTORY_SET_QUANTITIES_MUTATION } from "./graphql/inventory-set-quantities-mutation.ts";
import { PRIMARY_LOCATION_QUERY } from "./graphql/primary-location-query.ts";

type Failed = { variantId: string | null; reason: string };

interface Current {
  variantId: string;
  inventoryItemId: string;
  available: number;
}

const STALE_ATTEMPTS = 3;

/**
 * Sets each variant's `available` quantity at one location (the store's chosen one, else the
 * shop's primary location). Per batch: read the current quantities, write them with
 * changeFromQuantity (compare-and-swap) under an idempotency key derived from the request, and on
 * CHANGE_FROM_QUANTITY_STALE (someone changed stock between our read and write) read and write
 * again. Shopify applies a batch all or nothing, so an item-specific userError drops that item
 * (reported in `failed`) and the rest are written again. Untracked items get tracking turned on
 * first: Shopify ignores the quantities of an untracked item when selling.
 */
export async function setShopifyInventory(client: AdminClient, levels: InventoryLevel[], locationId: string | null): Promise<{ failed: Failed[] }> {
  const failed: Failed[] = [];
  const wanted = new Map<string, number>();
  for (const l of levels) {
    if (!l.variantId) failed.push({ variantId: null, reason: "a Shopify product's stock is set on a variant" });
    else if (!Number.isInteger(l.quantity) || l.quantity < 0) failed.push({ variantId: l.variantId, reason: "quantity must be a whole number ≥ 0" });
    else wanted.set(l.variantId, l.quantity); // the last level for a variant wins
  }
  if (wanted.size === 0) return { failed };
  const location = locationId ? toGid("Location", locationId) : await primaryLocation(client);
  const ids = [...wanted.keys()];
  for (let i = 0; i < ids.length; i += INVENTORY_BATCH) {
    await setBatch(client, ids.slice(i, i + INVENTORY_BATCH), wanted, location, failed);
  }
  return { failed };
}

async function setBatch(client: AdminClient, variantIds: string[], wanted: Map<string, number>, location: string, failed: Failed[]): Promise<void> {
  let pending = variantIds;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const current = await readLevels(client, pending, location, failed);
    const changes = current.filter((c) => c.available !== wanted.get(c.variantId));
    if (changes.length === 0) return;
    const input = {
      name: "available",
      reason: "correction",
      referenceDocumentUri: "gid://keyrelay/StockSync/pool-availability",
      quantities: changes.map((c) => ({ inventoryItemId: c.inventoryItemId, locationId: location, quantity: wanted.get(c.variantId)!, changeFromQuantity: c.available })),
    };
    // The same request (same items, same from → to) gets the same key: a retry after a lost
    // answer is applied once by Shopify; a new read gives a new request and a new key.
    const idempotencyKey = crypto.createHash("sha256").update(JSON.stringify(input)).digest("hex").slice(0, 64);
    const data = await client.request<{ inventorySetQuantities: { userErrors: (UserError & { code: string | null })[] } | null }>(
      "inventorySetQuantities",
      INVENTORY_SET_QUANTITIES_MUTATION,
      { input, idempotencyKey },
    );
    const errors = data.inventorySetQuantities?.userErrors ?? [];
    if (errors.length === 0) return;
    const stale = errors.some((e) => e.code === "CHANGE_FROM_QUANTITY_STALE");
    const badItems = new Set<number>();
    for (const e of errors) {
      const index = e.field?.[0] === "input" && e.field[1] === "quantities" ? Number(e.field[2]) : NaN;
      if (e.code !== "CHANGE_FROM_QUANTITY_STALE" && Number.isInteger(index) && changes[index]) badItems.add(index);
    }
    if (!stale && badItems.size === 0) throw userErrorsError("inventorySetQuantities", errors);
    for (const i of badItems) {
      const e = errors.find((x) => Number(x.field?.[2]) === i)!;
      failed.push({ variantId: changes[i].variantId, reason: e.message });
    }
    if (attempt >= STALE_ATTEMPTS) {
      for (const [i, c] of changes.entries()) if (!badItems.has(i)) failed.push({ variantId: c.variantId, reason: "stock kept changing on Shopify while it was being set; will retry" });
      return;
    }
    const dropped = new Set([...badItems].map((i) => changes[i].variantId));
    pending = changes.map((c) => c.variantId).filter((v) => !dropped.has(v));
  }
}

async function readLevels(client: AdminClient, variantIds: string[], location: string, failed: Failed[]): Promise<Current[]> {
  type Node = { id: string; inventoryItem: { id: string; tracked: boolean; inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } } | null;
  const data = await client.request<{ nodes: Node[] }>("inventoryLevels", INVENTORY_LEVELS_QUERY, { ids: variantIds.map((v) => toGid("ProductVariant", v)), locationId: location });
  const out: Current[] = [];
  for (const [i, node] of data.nodes.entries()) {
    const variantId = variantIds[i];
    if (!node?.inventoryItem) {
      failed.push({ variantId, reason: "variant not found on Shopify" });
      continue;
    }
    const level = node.inventoryItem.inventoryLevel;
    if (!level) {
      failed.push({ variantId, reason: "variant is not stocked at the sync location" });
      continue;
    }
    if (!node.inventoryItem.tracked) await enableTracking(client, node.inventoryItem.id);
    const available = level.quantities.find((q) => q.name === "available")?.quantity ?? 0;
    out.push({ variantId: fromGid(node.id), inventoryItemId: node.inventoryItem.id, available });
  }
  return out;
}

async function enableTracking(client: AdminClient, inventoryItemId: string): Promise<void> {
  const data = await client.request<{ inventoryItemUpdate: { userErrors: UserError[] } | null }>("inventoryItemUpdate", INVENTORY_ITEM_UPDATE_MUTATION, {
    id: inventoryItemId,
    input: { tracked: true },
  });
  checkUserErrors("inventoryItemUpdate", data.inventoryItemUpdate);
}

async function primaryLocation(client: AdminClient): Promise<string> {
  const data = await client.request<{ location: { id: string } | null }>("primaryLocation", PRIMARY_LOCATION_QUERY);
  if (!data.location) throw userErrorsError("location", [{ message: "the shop has no primary location" }]);
  return data.location.id;
}
