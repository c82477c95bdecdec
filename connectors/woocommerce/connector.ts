import type { HostConnector, HostOrder, HostRiskReading } from "../host-connector.ts";
import { HostError, isHostError } from "../host-error.ts";
import { checkWooCommerceWebhooks } from "./check-webhooks.ts";
import { listWooCommerceProducts } from "./list-products.ts";
import { hasRefunds, mapWooCommerceOrder } from "./map-order.ts";
import { fetchAllPages } from "./paginate.ts";
import { decodeCursor, encodeCursor, nextCursor } from "./paid-orders-cursor.ts";
import { createWooCommerceRestClient, type WooCommerceConnection, type WooCommerceRestClient } from "./rest-client.ts";
import { getWooCommerceInventory } from "./get-inventory.ts";
import { setWooCommerceInventory } from "./set-inventory.ts";
import type { WcOrder, WcRefund } from "./wire-types.ts";
import { orderPathId, writeWooCommerceDelivery } from "./write-delivery.ts";

export interface WooCommerceConnectorOptions extends WooCommerceConnection {
  timeoutMs: number;
  /** The webhook keyrelay registered (stores.host_webhook_id), for checkWebhooks. */
  webhookId?: string | null;
  /** Our delivery URL, to find the webhook when its id is unknown. */
  deliveryUrl?: string | null;
}

/** Orders per reconciliation page. */
export const PAID_PAGE_SIZE = 50;

export function createWooCommerceConnector(opts: WooCommerceConnectorOptions): HostConnector {
  const client = createWooCommerceRestClient(opts);

  async function toHostOrder(order: WcOrder): Promise<HostOrder> {
    // The order lists refund totals only; quantities are on the refund objects.
    const refunds = hasRefunds(order) ? await fetchAllPages<WcRefund>(client, `orders/${order.id}/refunds`) : [];
    return mapWooCommerceOrder(order, refunds);
  }

  async function fetchOrder(externalId: string): Promise<HostOrder | null> {
    if (!/^\d+$/.test(String(externalId).trim())) return null;
    const order = await getOrNull<WcOrder>(client, `orders/${orderPathId(externalId)}`);
    return order ? toHostOrder(order) : null;
  }

  return {
    platform: "woocommerce",
    fetchOrder,

    async findOrderByName(name) {
      const wanted = name.trim().replace(/^#/, "");
      if (!wanted) return null;
      // Sequential-number plugins make `number` differ from the id; they hook the order search.
      const { body } = await client<WcOrder[]>("GET", "orders", { query: { search: wanted, per_page: 20 } });
      const hit = (Array.isArray(body) ? body : []).find((o) => String(o.number ?? o.id) === wanted);
      if (hit) return toHostOrder(hit);
      if (!/^\d+$/.test(wanted)) return null;
      const byId = await getOrNull<WcOrder>(client, `orders/${wanted}`);
      return byId && String(byId.number ?? byId.id) === wanted ? toHostOrder(byId) : null;
    },

    async listPaidOrdersSince(cursor, since) {
      const at = decodeCursor(cursor, since);
      const res = await client<WcOrder[]>("GET", "orders", {
        query: { status: "processing,completed", modified_after: at.after, dates_are_gmt: true, orderby: "modified", order: "asc", per_page: PAID_PAGE_SIZE, page: at.page },
      });
      const page = Array.isArray(res.body) ? res.body : [];
      const totalPages = Number(res.headers.get("x-wp-totalpages") ?? "0") || 0;
      const orders: HostOrder[] = [];
      for (const o of page) orders.push(await toHostOrder(o));
      const newest = page.reduce<string | null>((m, o) => (o.date_modified_gmt && (!m || o.date_modified_gmt > m) ? o.date_modified_gmt : m), null);
      return { orders, cursor: encodeCursor(nextCursor(at, newest)), more: page.length > 0 && at.page < totalPages };
    },

    writeDelivery: (d) => writeWooCommerceDelivery(client, d),

    async addOrderNote(externalOrderId, text) {
      await client("POST", `orders/${orderPathId(externalOrderId)}/notes`, { body: { note: text, customer_note: false } });
    },

    listProducts: (query) => listWooCommerceProducts(client, query),
    checkWebhooks: () => checkWooCommerceWebhooks(client, { webhookId: opts.webhookId, deliveryUrl: opts.deliveryUrl }),
    setInventory: (levels) => setWooCommerceInventory(client, levels),
    getInventory: (items) => getWooCommerceInventory(client, items),
    // One stock figure per product or variation: nothing to choose.
    listLocations: async () => [],

    // WooCommerce has no risk analysis of its own: nothing to wait for.
    // WooCommerce's REST API shows no card of a payment: nothing to ask.
    fetchOrderCard: async () => null,

    async fetchOrderRisk(externalId) {
      return (await fetchOrder(externalId)) ? { state: "known", recommendation: null, assessments: [] } : null;
    },

    async fetchOrderRisks(externalIds) {
      // Nothing to read but whether each order exists (the app asks Shopify stores only).
      const readings = new Map<string, HostRiskReading>();
      for (const id of externalIds) if (await fetchOrder(id)) readings.set(id, { state: "known", recommendation: null, assessments: [] });
      return readings;
    },

    async cancelOrder(externalId, request) {
      const order = await getOrNull<WcOrder>(client, `orders/${orderPathId(externalId)}`);
      if (!order) throw new HostError("not_found", `WooCommerce order ${externalId} not found`);
      if (order.status === "cancelled" || order.status === "refunded") return { alreadyCancelled: true };
      if (!request.refund) {
        // Cancelling is a status: WooCommerce puts reduced stock back by itself when it cancels.
        await client("PUT", `orders/${orderPathId(externalId)}`, { body: { status: "cancelled" } });
        return { alreadyCancelled: false };
      }
      // A refund of what is left, through the payment gateway; a full refund makes the order "refunded".
      const left = Number(order.total ?? 0) + (order.refunds ?? []).reduce((sum, r) => sum + Number(r.total ?? 0), 0);
      if (!(left > 0)) return { alreadyCancelled: true };
      await client("POST", `orders/${orderPathId(externalId)}/refunds`, {
        body: { amount: left.toFixed(decimalsOf(order)), reason: request.staffNote ?? "", api_refund: true, api_restock: request.restock },
      });
      return { alreadyCancelled: false };
    },

    writeRiskAssessment: async () => "unsupported",
  };
}

/** Decimals the order's amounts are written with (WooCommerce sends them as text). */
function decimalsOf(order: WcOrder): number {
  const m = /\.(\d+)$/.exec(String(order.total ?? ""));
  return m ? m[1].length : 0;
}

async function getOrNull<T>(client: WooCommerceRestClient, endpoint: string): Promise<T | null> {
  try {
    return (await client<T>("GET", endpoint)).body;
  } catch (e) {
    if (isHostError(e) && e.kind === "not_found") return null;
    throw e;
  }
}
