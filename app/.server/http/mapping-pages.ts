import { data } from "react-router";
import type { HostProduct } from "../../../connectors/host-connector.ts";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { listStores } from "../use-cases/list-stores.ts";
import { listProductMappings, mapProduct, searchHostProducts, unmapProduct } from "../use-cases/manage-mappings.ts";
import { listPoolSummaries } from "../use-cases/manage-pools.ts";
import { syncStockNow } from "../use-cases/sync-stock-now.ts";
import { hostPageError } from "./host-page-error.ts";
import { chooseStockLocationAction, loadStockLocationSection } from "./stock-location-section.ts";
import { errorData, notFound, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";

/**
 * A store's products & mapping page, for both surfaces: search the store's products through its
 * connector, map a product or one variant to a pool, list and remove mappings, and (Shopify) the
 * location whose stock keyrelay sets.
 */

export async function storeProductsLoader({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "mappings.view");
  const store = (await listStores(s, admin.accountId)).find((st) => st.id === params.storeId);
  if (!store) throw notFound();
  const query = (new URL(request.url).searchParams.get("q") ?? "").slice(0, 200);
  const [mappings, pools] = await Promise.all([listProductMappings(s, admin.accountId, { storeId: store.id }), listPoolSummaries(s, admin.accountId, { includeArchived: true })]);
  const search = async (): Promise<{ products: HostProduct[]; hostError: PageError | null }> => {
    try {
      return { products: await searchHostProducts(s, admin.accountId, store.id, query), hostError: null };
    } catch (e) {
      // A host failure (store unreachable, keys revoked) is a banner, not a crash.
      const hostError = hostPageError(e);
      if (!hostError) throw e;
      return { products: [], hostError };
    }
  };
  // The two host calls go out together: the page waits for the slower, not for both in a row.
  const [{ products, hostError }, stockLocation] = await Promise.all([search(), loadStockLocationSection(s, admin.accountId, store)]);
  return {
    base: admin.base,
    csrf: admin.csrf,
    store,
    query,
    products,
    hostError,
    stockLocation,
    // What the member's role may change here: the page hides the rest (the action refuses it anyway).
    allowed: { map: admin.can("mappings.manage"), location: admin.can("stores.manage"), createPool: admin.can("pools.manage") },
    pools: pools.map((p) => ({ id: p.id, name: p.name, archived: p.archived, available: p.counts.available })),
    mappings: mappings.map((m) => ({
      id: m.id,
      productId: m.product_id,
      variantId: m.variant_id || null,
      title: m.title,
      poolId: m.pool_id,
      unitsPerItem: m.units_per_item,
      status: m.status,
      syncStock: m.sync_stock === 1,
      lastSyncedQuantity: m.last_synced_quantity,
      lastSyncedAt: m.last_synced_at,
      lastSyncError: m.last_sync_error,
      trackingEnabledAt: m.tracking_enabled_at,
    })),
  };
}

export type StoreProductsActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "map" | "sync"; mappingId: string }
  | { ok: true; intent: "unmap" }
  | { ok: true; intent: "location"; locationId: string };

export async function storeProductsAction({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "mappings.view");
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "map") {
      await admin.require("mappings.manage");
      const units = (form.get("unitsPerItem") ?? "1").trim();
      const mapping = await mapProduct(
        s,
        admin.accountId,
        {
          storeId: params.storeId ?? "",
          productId: form.get("productId") ?? "",
          variantId: form.get("variantId") || null,
          title: (form.get("title") ?? "").slice(0, 500) || null,
          poolId: form.get("poolId") ?? "",
          unitsPerItem: /^\d{1,6}$/.test(units) ? Number(units) : Number.NaN,
        },
        admin.actor,
      );
      return data<StoreProductsActionData>({ ok: true, intent, mappingId: mapping.id });
    }
    if (intent === "sync") {
      await admin.require("mappings.manage");
      // "Sync now": reads the host back and sets it, retrying a broken mapping (the worker runs it).
      const mappingId = form.get("mappingId") ?? "";
      await syncStockNow(s, admin.accountId, { mappingId }, admin.actor);
      return data<StoreProductsActionData>({ ok: true, intent, mappingId });
    }
    if (intent === "location") {
      await admin.require("stores.manage");
      return chooseStockLocationAction(s, admin.accountId, params.storeId ?? "", form.get("locationId") ?? "", admin.actor);
    }
    if (intent === "unmap") {
      await admin.require("mappings.manage");
      await unmapProduct(s, admin.accountId, form.get("mappingId") ?? "", admin.actor);
      return data<StoreProductsActionData>({ ok: true, intent });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return errorData(e);
  }
}
