import { data } from "react-router";
import type { HostLocation } from "../../../connectors/host-connector.ts";
import type { Actor } from "../use-cases/manage-pools.ts";
import { chooseStockLocation, listStockLocations } from "../use-cases/stock-locations.ts";
import type { Services } from "../ports.ts";
import { hostPageError } from "./host-page-error.ts";
import { errorData, type PageError } from "./pool-pages.ts";

/**
 * The stock-location part of a store's page: which of the shop's locations keyrelay sets stock
 * at. Only Shopify keeps stock per location; a WooCommerce store has no such section (null).
 */
export interface StockLocationSection {
  locations: HostLocation[];
  /** The listed location keyrelay writes to: the chosen one, else the primary (null: not listed). */
  inUse: string | null;
  /** The shop's primary location: what the choice starts from when none is in use. */
  primary: string | null;
  /** A chosen location the shop no longer lists as active (stock still goes there until changed). */
  missing: string | null;
  /** Why the locations could not be read (store unreachable, credentials revoked), as a banner. */
  error: PageError | null;
}

type Deps = Pick<Services, "db" | "jobs" | "config" | "connectors">;

export async function loadStockLocationSection(s: Deps, accountId: string, store: { id: string; platform: string }): Promise<StockLocationSection | null> {
  if (store.platform !== "shopify") return null;
  try {
    const { locations, chosen } = await listStockLocations(s, accountId, store.id);
    const listed = chosen !== null && locations.some((l) => l.id === chosen);
    const primary = locations.find((l) => l.primary)?.id ?? null;
    return { locations, inUse: chosen === null ? primary : listed ? chosen : null, primary, missing: chosen !== null && !listed ? chosen : null, error: null };
  } catch (e) {
    const error = hostPageError(e);
    if (!error) throw e;
    return { locations: [], inUse: null, primary: null, missing: null, error };
  }
}

export type StockLocationActionData = { ok: false; error: PageError } | { ok: true; intent: "location"; locationId: string };

/**
 * Chooses the location (the CLI's `stock locations --use`, through the same use-case: stored,
 * audited, the store's mapped stock synced there). Another account's store is a 404; an id the
 * shop does not list is refused (locationId); a shop that cannot be asked is a 502 banner.
 */
export async function chooseStockLocationAction(s: Deps, accountId: string, storeId: string, locationId: string, actor: Actor) {
  try {
    await chooseStockLocation(s, accountId, storeId, locationId, actor);
    return data<StockLocationActionData>({ ok: true, intent: "location", locationId });
  } catch (e) {
    const hostError = hostPageError(e);
    if (hostError) return data<StockLocationActionData>({ ok: false, error: hostError }, { status: 502 });
    return errorData(e);
  }
}
