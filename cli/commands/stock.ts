import { getStockSyncStatus, type StockSyncStatus } from "../../app/.server/use-cases/get-stock-sync-status.ts";
import { chooseStockLocation, listStockLocations } from "../../app/.server/use-cases/stock-locations.ts";
import { syncStockNow } from "../../app/.server/use-cases/sync-stock-now.ts";
import type { Services } from "../../app/.server/ports.ts";
import type { Command } from "../command.ts";
import type { Output } from "../output.ts";
import { UsageError } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

const cli = { type: "cli" as const };

/** Mappings whose last sync failed, for the merchant to see why. */
async function problems(s: Services, accountId: string, storeId?: string) {
  let q = s.db
    .selectFrom("product_mappings")
    .select(["id", "store_id", "product_id", "variant_id", "status", "last_sync_error", "last_synced_quantity", "last_synced_at"])
    .where("account_id", "=", accountId)
    .where("sync_stock", "=", 1)
    .where((eb) => eb.or([eb("status", "=", "broken"), eb("last_sync_error", "is not", null)]));
  if (storeId) q = q.where("store_id", "=", storeId);
  return q.orderBy("updated_at", "desc").limit(50).execute();
}

async function printStatus(s: Services, out: Output, accountId: string, status: StockSyncStatus, storeId?: string) {
  const stores = status.stores.filter((st) => !storeId || st.storeId === storeId);
  if (stores.length === 0) out.say(out.t("cli.noStores"));
  for (const st of stores) {
    out.say(out.t("cli.stockStoreLine", { name: st.name, id: st.storeId, synced: st.synced, mappings: st.mappings, failing: st.failing, broken: st.broken, at: st.lastSyncedAt ?? out.t("cli.none") }));
    if (st.attention) out.say(`  ${out.t("cli.storeAttention", { reason: st.attention })}`);
  }
  const bad = await problems(s, accountId, storeId);
  for (const m of bad) out.say(`  ${out.t("cli.stockMappingError", { id: m.id, item: m.variant_id ? `${m.product_id}/${m.variant_id}` : m.product_id, status: m.status, error: m.last_sync_error ?? "" })}`);
  if (status.pending) out.say(out.t("cli.stockPending", { count: status.pending }));
  return bad;
}

export const stockSync: Command = {
  options: { account: { type: "string" }, store: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const storeId = typeof v.store === "string" ? v.store : undefined;
    const { pools, jobIds } = await syncStockNow(s, accountId, { storeId }, cli);
    // Run the syncs here rather than wait for a worker; a worker that claims one first runs it
    // instead (a job runs once), and a sync already running for a pool makes this one queue.
    for (const id of jobIds) await s.jobs.runJob(id);
    out.say(out.t("cli.stockSynced", { count: pools }));
    const status = await getStockSyncStatus(s, accountId);
    const bad = await printStatus(s, out, accountId, status, storeId);
    out.result({ pools, ...status, stores: status.stores.filter((st) => !storeId || st.storeId === storeId), problems: bad });
  },
};

export const stockStatus: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const status = await getStockSyncStatus(s, accountId);
    const bad = await printStatus(s, out, accountId, status);
    out.result({ ...status, problems: bad });
  },
};

export const stockLocations: Command = {
  options: { account: { type: "string" }, store: { type: "string" }, use: { type: "string" } },
  needs: "services",
  validate(v) {
    if (!v.store) throw new UsageError("missingOption", { option: "--store" });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const storeId = String(v.store);
    if (typeof v.use === "string") {
      const { chosen } = await chooseStockLocation(s, accountId, storeId, v.use === "primary" ? null : v.use, cli);
      out.say(out.t("cli.stockLocationChosen", { id: chosen ?? "primary" }));
    }
    const { locations, chosen } = await listStockLocations(s, accountId, storeId);
    if (locations.length === 0) out.say(out.t("cli.stockNoLocations"));
    for (const l of locations) {
      const inUse = chosen ? l.id === chosen : l.primary;
      out.say(`${inUse ? "*" : " "} ${l.id}  ${l.name}${l.primary ? `  (${out.t("cli.stockPrimary")})` : ""}`);
    }
    out.result({ locations, chosen });
  },
};
