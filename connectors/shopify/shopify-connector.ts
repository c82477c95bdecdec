import type { CancelOrderRequest, DeliveryWrite, HostConnector, HostLocation, HostOrder, HostProduct, HostRiskReading, RiskAssessmentWrite, WebhookHealth } from "../host-connector.ts";
import { HostError } from "../host-error.ts";
import { checkUserErrors, createAdminClient, type AdminClient, type AdminClientOptions } from "./admin-client.ts";
import type { UserError } from "./admin-errors.ts";
import { DELIVERED_KEYS_KEY, DELIVERED_KEYS_NAMESPACE, deliveredKeysValue, storedReference } from "./delivered-keys-metafield.ts";
import { toGid, fromGid } from "./gid.ts";
import { ORDER_LINE_ITEMS_QUERY } from "./graphql/order-line-items-query.ts";
import { ORDER_NOTE_QUERY } from "./graphql/order-note-query.ts";
import { ORDER_QUERY } from "./graphql/order-query.ts";
import { ORDER_UPDATE_MUTATION } from "./graphql/order-update-mutation.ts";
import { ORDERS_QUERY } from "./graphql/orders-query.ts";
import { PRODUCTS_QUERY } from "./graphql/products-query.ts";
import { WEBHOOK_SUBSCRIPTIONS_QUERY } from "./graphql/webhook-subscriptions-query.ts";
import { appendNoteLine, mergeDeliveryBlock } from "./note-block.ts";
import { ORDER_CANCEL_MUTATION } from "./graphql/order-cancel-mutation.ts";
import { ORDER_RISK_ASSESSMENT_CREATE_MUTATION } from "./graphql/order-risk-assessment-create-mutation.ts";
import { ORDER_RISK_QUERY } from "./graphql/order-risk-query.ts";
import { ORDER_RISKS_PER_REQUEST, ORDER_RISKS_QUERY } from "./graphql/order-risks-query.ts";
import { ORDER_CARD_QUERY } from "./graphql/order-card-query.ts";
import { cardFromTransactions, type GqlTransaction } from "./order-card.ts";
import { orderFromGraphql, riskFromGraphql, type GqlLineItem, type GqlOrder, type GqlPage, type GqlRisk } from "./order-mapping.ts";
import { getShopifyInventory } from "./get-inventory.ts";
import { LOCATIONS_QUERY } from "./graphql/locations-query.ts";
import { setShopifyInventory } from "./set-inventory.ts";
import { productsQuery, paidOrdersQuery, orderNameQuery, sameOrderName } from "./search-query.ts";

export interface ShopifyConnectorOptions extends AdminClientOptions {
  /** Where setInventory writes; default: the shop's primary location. */
  locationId?: string;
}

/** The order topics keyrelay's fulfilment depends on (shopify.app.toml subscribes to them). */
const ORDER_TOPICS = ["ORDERS_PAID", "ORDERS_CANCELLED", "REFUNDS_CREATE"] as const;

export function createShopifyConnector(options: ShopifyConnectorOptions): HostConnector {
  const client = createAdminClient(options);

  return {
    platform: "shopify",

    async fetchOrder(externalId) {
      const data = await client.request<{ order: GqlOrder | null }>("order", ORDER_QUERY, { id: toGid("Order", externalId) });
      return data.order ? completeOrder(client, data.order) : null;
    },

    async findOrderByName(name) {
      const data = await client.request<{ orders: GqlPage<GqlOrder> }>("orders", ORDERS_QUERY, { query: orderNameQuery(name), after: null });
      // Shopify's search is a search: keep only the order that really has this name.
      const order = data.orders.nodes.find((o) => sameOrderName(o.name, name));
      return order ? completeOrder(client, order) : null;
    },

    async listPaidOrdersSince(cursor, since) {
      const data = await client.request<{ orders: GqlPage<GqlOrder> }>("orders", ORDERS_QUERY, { query: paidOrdersQuery(since), after: cursor });
      const orders: HostOrder[] = [];
      for (const o of data.orders.nodes) orders.push(await completeOrder(client, o));
      // With sortKey UPDATED_AT a cursor marks (updated_at, id): starting after the last order of
      // this page also finds orders updated later, so the cursor stays useful after the last page.
      return { orders, cursor: data.orders.pageInfo.endCursor ?? cursor, more: data.orders.pageInfo.hasNextPage };
    },

    async writeDelivery(delivery) {
      await writeDelivery(client, delivery);
    },

    async addOrderNote(externalOrderId, text) {
      const id = toGid("Order", externalOrderId);
      const current = await readNote(client, id);
      const merged = appendNoteLine(current.note, text);
      if (merged.changed) await updateNote(client, id, merged.note, []);
    },

    async listProducts(query) {
      type Product = { id: string; title: string; hasOnlyDefaultVariant: boolean; variants: { nodes: { id: string; title: string; sku: string | null }[] } };
      const data = await client.request<{ products: { nodes: Product[] } }>("products", PRODUCTS_QUERY, { query: productsQuery(query) });
      const out: HostProduct[] = [];
      for (const p of data.products.nodes) {
        for (const v of p.variants.nodes) {
          out.push({
            productId: fromGid(p.id),
            // Every Shopify product has at least one variant, and stock lives on variants, so even
            // a single-variant product is mapped through its (default) variant.
            variantId: fromGid(v.id),
            title: p.title,
            variantTitle: p.hasOnlyDefaultVariant ? null : v.title,
            sku: v.sku || null,
          });
        }
      }
      return out;
    },

    async checkWebhooks(): Promise<WebhookHealth> {
      const data = await client.request<{ webhookSubscriptions: { nodes: { topic: string }[] } }>("webhookSubscriptions", WEBHOOK_SUBSCRIPTIONS_QUERY, { topics: [...ORDER_TOPICS] });
      const seen = new Set(data.webhookSubscriptions.nodes.map((n) => n.topic));
      // keyrelay subscribes in shopify.app.toml: app-config subscriptions are managed by Shopify
      // for every install and are NOT listed by webhookSubscriptions, which shows only those
      // registered through the API for this shop. Seeing none is therefore the normal, healthy
      // state; a false alarm would teach merchants to ignore the flag. Only a partial set
      // (someone registered some topics through the API and the others are gone) is reported.
      if (seen.size === 0) return { ok: true, problem: null };
      const missing = ORDER_TOPICS.filter((t) => !seen.has(t));
      if (missing.length === 0) return { ok: true, problem: null };
      return { ok: false, problem: `Shopify webhook subscriptions missing: ${missing.map((t) => t.toLowerCase().replace("_", "/")).join(", ")}` };
    },

    async setInventory(levels) {
      return setShopifyInventory(client, levels, options.locationId ?? null);
    },

    async getInventory(items) {
      return getShopifyInventory(client, items, options.locationId ?? null);
    },

    async listLocations(): Promise<HostLocation[]> {
      const data = await client.request<{ locations: { nodes: { id: string; name: string; isPrimary: boolean }[] } }>("locations", LOCATIONS_QUERY);
      return data.locations.nodes.map((l) => ({ id: fromGid(l.id), name: l.name, primary: l.isPrimary }));
    },

    async fetchOrderRisk(externalId) {
      const data = await client.request<{ order: { id: string; risk: GqlRisk | null } | null }>("orderRisk", ORDER_RISK_QUERY, { id: toGid("Order", externalId) });
      return data.order ? riskFromGraphql(data.order.risk) : null;
    },

    async fetchOrderRisks(externalIds) {
      const readings = new Map<string, HostRiskReading>();
      for (let i = 0; i < externalIds.length; i += ORDER_RISKS_PER_REQUEST) {
        const ids = externalIds.slice(i, i + ORDER_RISKS_PER_REQUEST).map((id) => toGid("Order", id));
        const data = await client.request<{ nodes: ({ id?: string; risk?: GqlRisk | null } | null)[] }>("orderRisks", ORDER_RISKS_QUERY, { ids });
        for (const node of data.nodes) if (node?.id) readings.set(fromGid(node.id), riskFromGraphql(node.risk ?? null));
      }
      return readings;
    },

    async fetchOrderCard(externalId) {
      const data = await client.request<{ order: { id: string; transactions: GqlTransaction[] } | null }>("orderCard", ORDER_CARD_QUERY, { id: toGid("Order", externalId) });
      return data.order ? cardFromTransactions(data.order.transactions) : null;
    },

    async cancelOrder(externalId, request) {
      return cancelOrder(client, externalId, request);
    },

    async writeRiskAssessment(externalId, assessment) {
      await writeRiskAssessment(client, externalId, assessment);
      return "written";
    },
  };
}

type CodedUserError = UserError & { code?: string | null };

async function cancelOrder(client: AdminClient, externalId: string, r: CancelOrderRequest): Promise<{ alreadyCancelled: boolean }> {
  const data = await client.request<{ orderCancel: { job: { id: string; done: boolean } | null; orderCancelUserErrors: CodedUserError[] } | null }>("orderCancel", ORDER_CANCEL_MUTATION, {
    orderId: toGid("Order", externalId),
    reason: "FRAUD",
    // Only a refund names a method: without one Shopify cancels and keeps the money (it releases an
    // authorisation that was never captured either way).
    refundMethod: r.refund ? { originalPaymentMethodsRefund: true } : null,
    restock: r.restock,
    notifyCustomer: false,
    staffNote: r.staffNote,
  });
  const errors = data.orderCancel?.orderCancelUserErrors ?? [];
  // A retry after a lost answer finds the order cancelled already: that is the outcome we wanted.
  if (errors.length && errors.every((e) => /already (been )?cancel/i.test(e.message))) return { alreadyCancelled: true };
  if (errors.some((e) => e.code === "NOT_FOUND")) throw new HostError("not_found", `Shopify orderCancel: order ${externalId} not found`, { code: "NOT_FOUND" });
  if (errors.some((e) => e.code === "NO_REFUND_PERMISSION")) throw new HostError("unauthorized", `Shopify orderCancel refused: the app may not refund (${errors.map((e) => e.message).join("; ")})`, { code: "NO_REFUND_PERMISSION" });
  checkUserErrors("orderCancel", data.orderCancel ? { userErrors: errors } : null);
  return { alreadyCancelled: false };
}

async function writeRiskAssessment(client: AdminClient, externalId: string, a: RiskAssessmentWrite): Promise<void> {
  const data = await client.request<{ orderRiskAssessmentCreate: { userErrors: CodedUserError[] } | null }>("orderRiskAssessmentCreate", ORDER_RISK_ASSESSMENT_CREATE_MUTATION, {
    input: {
      orderId: toGid("Order", externalId),
      riskLevel: a.riskLevel,
      facts: a.facts.slice(0, 20).map((f) => ({ description: f.description.slice(0, 256), sentiment: f.sentiment.toUpperCase() })),
    },
  });
  const errors = data.orderRiskAssessmentCreate?.userErrors ?? [];
  if (errors.some((e) => e.code === "NOT_FOUND")) throw new HostError("not_found", `Shopify orderRiskAssessmentCreate: order ${externalId} not found`, { code: "NOT_FOUND" });
  checkUserErrors("orderRiskAssessmentCreate", data.orderRiskAssessmentCreate);
}

async function completeOrder(client: AdminClient, order: GqlOrder): Promise<HostOrder> {
  const lines: GqlLineItem[] = [...order.lineItems.nodes];
  let page = order.lineItems.pageInfo;
  while (page.hasNextPage) {
    const data = await client.request<{ order: { lineItems: GqlPage<GqlLineItem> } | null }>("orderLineItems", ORDER_LINE_ITEMS_QUERY, { id: order.id, after: page.endCursor });
    if (!data.order) throw new HostError("not_found", `Shopify order ${fromGid(order.id)} disappeared while reading its lines`);
    lines.push(...data.order.lineItems.nodes);
    page = data.order.lineItems.pageInfo;
  }
  return orderFromGraphql(order, lines);
}

interface NoteState {
  note: string | null;
  metafieldValue: string | null;
}

async function readNote(client: AdminClient, id: string): Promise<NoteState> {
  const data = await client.request<{ order: { note: string | null; metafield: { value: string } | null } | null }>("orderNote", ORDER_NOTE_QUERY, {
    id,
    namespace: DELIVERED_KEYS_NAMESPACE,
    key: DELIVERED_KEYS_KEY,
  });
  if (!data.order) throw new HostError("not_found", `Shopify order ${fromGid(id)} not found`);
  return { note: data.order.note, metafieldValue: data.order.metafield?.value ?? null };
}

async function updateNote(client: AdminClient, id: string, note: string, secrets: readonly string[]): Promise<void> {
  const data = await client.request<{ orderUpdate: { userErrors: UserError[] } | null }>("orderUpdate", ORDER_UPDATE_MUTATION, { input: { id, note } }, { secrets });
  checkUserErrors("orderUpdate", data.orderUpdate, secrets);
}

/**
 * The note and the metafield in one orderUpdate (OrderInput carries both): one read and one
 * write per delivery. Each part is left out when the host already holds this reference, and the
 * whole write when both are there, so a retry after a lost answer writes the same again at most.
 * (Read-then-write: a merchant editing the note in the same second can lose that edit; Shopify
 * offers no compare-and-swap on the note.)
 */
async function writeDelivery(client: AdminClient, d: DeliveryWrite): Promise<void> {
  const id = toGid("Order", d.externalOrderId);
  const secrets = [d.noteText, ...d.lines.flatMap((l) => l.codes)];
  const current = await readNote(client, id);
  const merged = mergeDeliveryBlock(current.note, d.reference, d.noteText);
  const metafieldStale = storedReference(current.metafieldValue) !== d.reference;
  if (!merged.changed && !metafieldStale) return;
  const input = {
    id,
    ...(merged.changed ? { note: merged.note } : {}),
    ...(metafieldStale ? { metafields: [{ namespace: DELIVERED_KEYS_NAMESPACE, key: DELIVERED_KEYS_KEY, type: "json", value: JSON.stringify(deliveredKeysValue(d)) }] } : {}),
  };
  const data = await client.request<{ orderUpdate: { userErrors: UserError[] } | null }>("orderUpdate", ORDER_UPDATE_MUTATION, { input }, { secrets });
  checkUserErrors("orderUpdate", data.orderUpdate, secrets);
}
