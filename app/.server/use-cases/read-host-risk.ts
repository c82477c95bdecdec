import type { HostOrder, HostRiskReading } from "../../../connectors/host-connector.ts";
import { isHostError } from "../../../connectors/host-error.ts";
import type { Store } from "../db/schema.ts";
import type { Services } from "../ports.ts";
import { accountWaitsForHostRisk } from "./risk-gate.ts";

type Deps = Partial<Pick<Services, "connectors" | "log">>;

/** What the gate reads of a reading: "pending" until Shopify's analysis has finished. */
export function recommendationOf(r: HostRiskReading): NonNullable<HostOrder["riskRecommendation"]> {
  return r.state === "pending" ? "pending" : (r.recommendation ?? "none");
}

/**
 * Shopify's risk of paid orders whose payload carries none, read before their transaction — one
 * request per store for the whole batch — when the account's rules last waited for it
 * (accountWaitsForHostRisk). A finished analysis lets the gate decide at once, instead of holding
 * the order for the check-host-risk job (a job, a host call and a decision transaction per
 * order). Anything else leaves the order as it was and the gate waits as before: still pending,
 * the read failing (the job reads again, with the merchant's fallback), or an order not found.
 * Never inside a transaction. Each item's `order` is replaced by one with its recommendation.
 */
export async function withHostRisk<T extends { store: Store; order: HostOrder }>(s: Deps, items: T[]): Promise<void> {
  const byStore = new Map<string, T[]>();
  for (const item of items) {
    const { store, order } = item;
    if (store.platform !== "shopify" || order.status !== "paid" || order.riskRecommendation !== null || !accountWaitsForHostRisk(store.account_id)) continue;
    const group = byStore.get(store.id);
    if (group) group.push(item);
    else byStore.set(store.id, [item]);
  }
  if (!s.connectors) return;
  for (const group of byStore.values()) {
    const store = group[0].store;
    let readings: Map<string, HostRiskReading>;
    try {
      readings = await (await s.connectors.forStore(store)).fetchOrderRisks([...new Set(group.map((g) => g.order.externalId))]);
    } catch (e) {
      if (!isHostError(e)) throw e;
      s.log?.warn({ storeId: store.id, orders: group.length, err: e.message }, "host risk not readable before the orders: they wait for it");
      continue;
    }
    for (const item of group) {
      const reading = readings.get(item.order.externalId);
      if (reading) item.order = { ...item.order, riskRecommendation: recommendationOf(reading) };
    }
  }
}
