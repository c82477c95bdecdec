import type { HostOrder } from "../../../connectors/host-connector.ts";
import { isHostError } from "../../../connectors/host-error.ts";
import type { Store } from "../db/schema.ts";
import type { Services } from "../ports.ts";
import { accountWantsCard, CardNeededError } from "./risk-gate.ts";

type Deps = Partial<Pick<Services, "connectors" | "log">>;

/**
 * The order with its card read from the host, when the account's rules want it (and it was not
 * read yet); as it is otherwise. Called before the order's transaction, never inside it. A read
 * that fails (the host down, a missing scope) is "card unknown" (null): the rules decide without
 * it, and a card clause is false — never a pass for "not on the block list".
 */
export async function withOrderCard(s: Deps, store: Store, order: HostOrder, force = false): Promise<HostOrder> {
  // Only a paid order can claim keys and so be decided: a cancel or refund never needs its card.
  if (order.card !== undefined || (!force && (order.status !== "paid" || !accountWantsCard(store.account_id)))) return order;
  if (!s.connectors) return { ...order, card: null };
  try {
    const connector = await s.connectors.forStore(store);
    return { ...order, card: await connector.fetchOrderCard(order.externalId) };
  } catch (e) {
    if (!isHostError(e)) throw e;
    s.log?.warn({ storeId: store.id, orderId: order.externalId, err: e.message }, "the order's card could not be read: deciding without it");
    return { ...order, card: null };
  }
}

/**
 * Runs `apply` (one order's transaction) with the card read first where wanted; when the gate
 * finds the rules want a card that was not read (a rule added since, another process), reads it
 * and runs `apply` once more. The first run rolled back: nothing of it stands.
 */
export async function applyWithCard<T>(s: Deps, store: Store, order: HostOrder, apply: (order: HostOrder) => Promise<T>): Promise<T> {
  const first = await withOrderCard(s, store, order);
  try {
    return await apply(first);
  } catch (e) {
    if (!(e instanceof CardNeededError) || first.card !== undefined) throw e;
    return apply(await withOrderCard(s, store, first, true));
  }
}
