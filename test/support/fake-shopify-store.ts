import type { GraphQLResolveInfo } from "graphql";
import { compare, matches, parseSearch, type Term } from "./fake-shopify-search.ts";

/**
 * The fake Shopify's in-memory shop and the GraphQL resolvers over it. Resolvers are plain
 * functions on a root value, executed by graphql-js against Shopify's real Admin schema, so a
 * field the fake does not implement resolves to null (and a non-null one fails loudly) instead of
 * inventing data. Ids are numeric strings; the wire shows gids, as Shopify does.
 */
export interface FakeLineItem {
  id: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  /** Units neither refunded nor removed. */
  currentQuantity: number;
  price: string;
}

export interface FakeOrder {
  id: string;
  name: string;
  email: string | null;
  customerId: string | null;
  customerFirstName: string | null;
  customerLastName: string | null;
  /** Random, as Shopify's (`XPAV284CT`); the thank-you page knows it. */
  confirmationNumber: string | null;
  locale: string | null;
  currency: string;
  /** GraphQL's OrderDisplayFinancialStatus: PAID, PARTIALLY_REFUNDED, REFUNDED, PENDING… */
  financialStatus: string;
  cancelledAt: string | null;
  createdAt: string;
  updatedAt: string;
  note: string | null;
  riskRecommendation: "ACCEPT" | "INVESTIGATE" | "CANCEL" | "NONE";
  /**
   * Shopify's own assessment's level; PENDING while its analysis runs (then the recommendation is
   * NONE on the wire); null: no analysis at all (no assessment from Shopify).
   */
  riskLevel: "LOW" | "MEDIUM" | "HIGH" | "NONE" | "PENDING" | null;
  /** Assessments apps created (orderRiskAssessmentCreate), oldest first. */
  appAssessments: { riskLevel: string; facts: { description: string; sentiment: string }[] }[];
  /** The card it was paid with (a SALE transaction's CardPaymentDetails); null: paid another way (a manual gateway). */
  card: { bin: string; last4: string; company: string | null } | null;
  /** orderCancel calls that were executed, as asked. */
  cancellations: { reason: string; refund: boolean; restock: boolean; notifyCustomer: boolean; staffNote: string | null }[];
  lineItems: FakeLineItem[];
  refunds: { id: string; createdAt: string; lines: { lineItemId: string; quantity: number }[] }[];
  /** key `${namespace}.${key}` with `$app` resolved to the app's reserved namespace */
  metafields: Map<string, { id: string; namespace: string; key: string; type: string; value: string }>;
}

export interface FakeVariant {
  id: string;
  productId: string;
  title: string;
  sku: string | null;
  inventoryItemId: string;
  tracked: boolean;
  /** location id → available */
  available: Map<string, number>;
}

export interface FakeProduct {
  id: string;
  title: string;
  variantIds: string[];
}

export const APP_NAMESPACE_PREFIX = "app--4242";
export const PRIMARY_LOCATION_ID = "1001";

export class FakeShopState {
  orders = new Map<string, FakeOrder>();
  products = new Map<string, FakeProduct>();
  variants = new Map<string, FakeVariant>();
  webhookSubscriptions: { id: string; topic: string; uri: string }[] = [];
  locations = new Set([PRIMARY_LOCATION_ID]);
  /** A location's name where a test gives one (else "Shop location" / "Location <id>"). */
  locationNames = new Map<string, string>();
  idempotency = new Map<string, { input: string; result: unknown }>();
  private seq = 5_000_000_000_000;
  private orderNumber = 1000;

  nextId(): string {
    return String(++this.seq);
  }

  nextOrderName(): string {
    return `#${++this.orderNumber}`;
  }

  variantByInventoryItem(id: string): FakeVariant | undefined {
    for (const v of this.variants.values()) if (v.inventoryItemId === id) return v;
    return undefined;
  }
}

const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;
const plain = (g: unknown) => String(g ?? "").replace(/^gid:\/\/shopify\/[A-Za-z]+\//, "");
const money = (amount: string, currencyCode: string) => ({ shopMoney: { amount, currencyCode }, presentmentMoney: { amount, currencyCode } });
export const resolveNamespace = (ns: string | null | undefined) => (!ns || ns === "$app" ? APP_NAMESPACE_PREFIX : ns.replace(/^\$app:/, `${APP_NAMESPACE_PREFIX}--`));

export function orderTotal(o: FakeOrder): string {
  const cents = o.lineItems.reduce((s, l) => s + Math.round(Number(l.price) * 100) * l.quantity, 0);
  return (cents / 100).toFixed(2);
}

type Args = Record<string, unknown>;

/** A connection over `items` with opaque cursors from `cursorOf`. */
function connection<T>(items: T[], args: Args, cursorOf: (t: T) => string, view: (t: T) => unknown) {
  const first = args.first as number | undefined;
  const last = args.last as number | undefined;
  if (first === undefined && last === undefined) throw new Error("you must provide one of first or last");
  if ((first ?? last)! > 250) throw new Error("The maximum page size is 250");
  let start = 0;
  if (typeof args.after === "string") {
    const after = Buffer.from(args.after, "base64url").toString();
    const i = items.findIndex((t) => cursorOf(t) > after);
    start = i === -1 ? items.length : i;
  }
  const page = items.slice(start, start + (first ?? last)!);
  const edgeCursor = (t: T) => Buffer.from(cursorOf(t)).toString("base64url");
  return {
    nodes: page.map(view),
    edges: page.map((t) => ({ cursor: edgeCursor(t), node: view(t) })),
    pageInfo: {
      hasNextPage: start + page.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? edgeCursor(page[0]) : null,
      endCursor: page.length ? edgeCursor(page.at(-1)!) : null,
    },
  };
}

function orderView(o: FakeOrder) {
  const name = [o.customerFirstName, o.customerLastName].filter(Boolean).join(" ");
  return {
    __typename: "Order",
    id: gid("Order", o.id),
    legacyResourceId: o.id,
    name: o.name,
    email: o.email,
    note: o.note,
    customerLocale: o.locale,
    currencyCode: o.currency,
    presentmentCurrencyCode: o.currency,
    displayFinancialStatus: o.financialStatus,
    cancelledAt: o.cancelledAt,
    createdAt: o.createdAt,
    processedAt: o.createdAt,
    updatedAt: o.updatedAt,
    test: false,
    confirmationNumber: o.confirmationNumber,
    customer: o.customerId ? { id: gid("Customer", o.customerId), displayName: name || o.email || "", firstName: o.customerFirstName, lastName: o.customerLastName } : null,
    totalPriceSet: money(orderTotal(o), o.currency),
    currentTotalPriceSet: money(orderTotal(o), o.currency),
    risk: {
      recommendation: o.riskLevel === "PENDING" ? "NONE" : o.riskRecommendation,
      assessments: [
        ...(o.riskLevel === null ? [] : [{ riskLevel: o.riskLevel, provider: null, facts: o.riskLevel === "PENDING" ? [] : [{ description: "Characteristics of this order are similar to non-fraudulent orders", sentiment: "POSITIVE" }] }]),
        ...o.appAssessments.map((a) => ({ riskLevel: a.riskLevel, provider: { id: gid("App", "1"), title: "keyrelay" }, facts: a.facts })),
      ],
    },
    // Order.transactions is a plain list (first: at most that many), newest last, as Shopify's.
    transactions: (args: Args) => transactionsView(o).slice(0, typeof args.first === "number" ? args.first : undefined),
    lineItems: (args: Args) => connection(o.lineItems, args, (l) => l.id.padStart(20, "0"), (l) => lineView(o, l)),
    refunds: () => o.refunds.map((r) => ({ id: gid("Refund", r.id), createdAt: r.createdAt, refundLineItems: (a: Args) => connection(r.lines, a, (x) => x.lineItemId.padStart(20, "0"), (x) => ({ quantity: x.quantity, lineItem: lineView(o, o.lineItems.find((l) => l.id === x.lineItemId)!) })) })),
    metafield: (args: Args) => metafieldView(o.metafields.get(`${resolveNamespace(args.namespace as string)}.${args.key}`)),
    metafields: (args: Args) => connection([...o.metafields.values()], args, (m) => m.id.padStart(20, "0"), metafieldView),
  };
}

function transactionsView(o: FakeOrder) {
  const paymentDetails = o.card
    ? { __typename: "CardPaymentDetails", bin: o.card.bin, number: `•••• •••• •••• ${o.card.last4}`, company: o.card.company, name: "Test Buyer", expirationMonth: 12, expirationYear: 2030, wallet: null, avsResultCode: "Y", cvvResultCode: "M", paymentMethodName: "card" }
    : null;
  return [{ __typename: "OrderTransaction", id: gid("OrderTransaction", `${o.id}1`), kind: "SALE", status: "SUCCESS", gateway: o.card ? "shopify_payments" : "manual", paymentDetails, amountSet: money(orderTotal(o), o.currency), createdAt: o.createdAt }];
}

function metafieldView(m: { id: string; namespace: string; key: string; type: string; value: string } | undefined) {
  return m ? { id: gid("Metafield", m.id), namespace: m.namespace, key: m.key, type: m.type, value: m.value } : null;
}

function lineView(o: FakeOrder, l: FakeLineItem) {
  return {
    id: gid("LineItem", l.id),
    title: l.title,
    name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
    variantTitle: l.variantTitle,
    sku: l.sku,
    quantity: l.quantity,
    currentQuantity: l.currentQuantity,
    refundableQuantity: l.currentQuantity,
    product: l.productId ? { id: gid("Product", l.productId) } : null,
    variant: l.variantId ? { id: gid("ProductVariant", l.variantId) } : null,
    originalUnitPriceSet: money(l.price, o.currency),
  };
}

function variantView(s: FakeShopState, v: FakeVariant) {
  const product = s.products.get(v.productId)!;
  return {
    __typename: "ProductVariant",
    id: gid("ProductVariant", v.id),
    legacyResourceId: v.id,
    title: v.title,
    displayName: `${product.title} - ${v.title}`,
    sku: v.sku,
    product: { id: gid("Product", product.id), title: product.title },
    inventoryItem: {
      id: gid("InventoryItem", v.inventoryItemId),
      tracked: v.tracked,
      inventoryLevel: (args: Args) => {
        const loc = plain(args.locationId);
        if (!v.available.has(loc)) return null;
        return { id: gid("InventoryLevel", `${v.inventoryItemId}-${loc}`), quantities: (a: Args) => (a.names as string[]).map((n) => ({ id: `${v.inventoryItemId}-${n}`, name: n, quantity: n === "available" ? v.available.get(loc)! : 0 })) };
      },
    },
  };
}

function locationView(s: FakeShopState, id: string) {
  return { id: gid("Location", id), name: s.locationNames.get(id) ?? (id === PRIMARY_LOCATION_ID ? "Shop location" : `Location ${id}`), isActive: true, isPrimary: id === PRIMARY_LOCATION_ID };
}

function productView(s: FakeShopState, p: FakeProduct) {
  const variants = p.variantIds.map((id) => s.variants.get(id)!);
  return {
    __typename: "Product",
    id: gid("Product", p.id),
    title: p.title,
    hasOnlyDefaultVariant: variants.length === 1 && variants[0].title === "Default Title",
    variants: (args: Args) => connection(variants, args, (v) => v.id.padStart(20, "0"), (v) => variantView(s, v)),
  };
}

function orderMatches(o: FakeOrder, t: Term): boolean {
  switch (t.field) {
    case "financial_status":
      return o.financialStatus.toLowerCase() === t.value.toLowerCase();
    case "updated_at":
      return compare(new Date(o.updatedAt).toISOString(), t.op, new Date(t.value).toISOString());
    case "created_at":
      return compare(new Date(o.createdAt).toISOString(), t.op, new Date(t.value).toISOString());
    case "name":
      return o.name.replace(/^#/, "").toLowerCase() === t.value.replace(/^#/, "").toLowerCase();
    case "email":
      return (o.email ?? "").toLowerCase() === t.value.toLowerCase();
    case null:
      return o.name.includes(t.value) || (o.email ?? "").includes(t.value);
    default:
      throw new Error(`the fake Shopify does not know the order search field '${t.field}'`);
  }
}

function productMatches(s: FakeShopState, p: FakeProduct, t: Term): boolean {
  const v = t.value.toLowerCase();
  if (t.field === null || t.field === "title") return p.title.toLowerCase().includes(v) || (t.field === null && p.variantIds.some((id) => (s.variants.get(id)!.sku ?? "").toLowerCase().includes(v)));
  if (t.field === "sku") return p.variantIds.some((id) => (s.variants.get(id)!.sku ?? "").toLowerCase() === v);
  throw new Error(`the fake Shopify does not know the product search field '${t.field}'`);
}

type UserErr = { field: string[] | null; message: string; code?: string };

/** Query and mutation root fields, in one root value (graphql-js picks by operation type). */
export function rootValue(s: FakeShopState, now: () => Date) {
  const stamp = () => now().toISOString();
  return {
    order: (args: Args) => {
      const o = s.orders.get(plain(args.id));
      return o ? orderView(o) : null;
    },
    orders: (args: Args) => {
      const expr = typeof args.query === "string" && args.query.trim() ? parseSearch(args.query) : null;
      let list = [...s.orders.values()].filter((o) => !expr || matches(expr, (t) => orderMatches(o, t)));
      const sortKey = (args.sortKey as string) ?? "ID";
      const key = (o: FakeOrder) => (sortKey === "UPDATED_AT" ? `${new Date(o.updatedAt).toISOString()}|${o.id.padStart(20, "0")}` : sortKey === "CREATED_AT" ? `${o.createdAt}|${o.id.padStart(20, "0")}` : o.id.padStart(20, "0"));
      list = list.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      if (args.reverse) list.reverse();
      return connection(list, args, key, (o) => orderView(o));
    },
    products: (args: Args) => {
      const expr = typeof args.query === "string" && args.query.trim() ? parseSearch(args.query) : null;
      const list = [...s.products.values()].filter((p) => !expr || matches(expr, (t) => productMatches(s, p, t)));
      const key = (p: FakeProduct) => (args.sortKey === "TITLE" ? `${p.title.toLowerCase()}|${p.id.padStart(20, "0")}` : p.id.padStart(20, "0"));
      list.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      return connection(list, args, key, (p) => productView(s, p));
    },
    nodes: (args: Args) =>
      (args.ids as string[]).map((id) => {
        if (id.startsWith("gid://shopify/ProductVariant/")) {
          const v = s.variants.get(plain(id));
          return v ? variantView(s, v) : null;
        }
        if (id.startsWith("gid://shopify/Order/")) {
          const o = s.orders.get(plain(id));
          return o ? orderView(o) : null;
        }
        return null;
      }),
    location: (args: Args) => {
      const id = args.id ? plain(args.id) : PRIMARY_LOCATION_ID;
      return s.locations.has(id) ? locationView(s, id) : null;
    },
    locations: (args: Args) => connection([...s.locations], args, (id) => id.padStart(20, "0"), (id) => locationView(s, id)),
    webhookSubscriptions: (args: Args) => {
      const topics = args.topics as string[] | undefined;
      const list = s.webhookSubscriptions.filter((w) => !topics || topics.includes(w.topic));
      return connection(list, args, (w) => w.id.padStart(20, "0"), (w) => ({ id: gid("WebhookSubscription", w.id), topic: w.topic, uri: w.uri }));
    },

    orderUpdate: ({ input }: { input: Args }) => {
      const o = s.orders.get(plain(input.id));
      if (!o) return { order: null, userErrors: [{ field: ["id"], message: "Order does not exist" }] };
      if (typeof input.note === "string" && input.note.length > 5000) return { order: null, userErrors: [{ field: ["note"], message: "Note is too long (maximum is 5000 characters)" }] };
      // OrderInput.metafields: created or updated by namespace and key, as metafieldsSet does.
      const metafields = (input.metafields as Args[] | undefined) ?? [];
      for (const [i, m] of metafields.entries()) {
        if (m.type === "json") {
          try {
            JSON.parse(String(m.value));
          } catch {
            return { order: null, userErrors: [{ field: ["metafields", String(i), "value"], message: "Value is invalid JSON." }] };
          }
        }
      }
      if ("note" in input) o.note = (input.note as string | null) ?? null;
      for (const m of metafields) {
        const namespace = resolveNamespace(m.namespace as string);
        const k = `${namespace}.${m.key}`;
        const existing = o.metafields.get(k);
        o.metafields.set(k, { id: existing?.id ?? s.nextId(), namespace, key: String(m.key), type: String(m.type ?? existing?.type ?? "single_line_text_field"), value: String(m.value) });
      }
      o.updatedAt = stamp();
      return { order: orderView(o), userErrors: [] };
    },
    orderCancel: (args: Args) => {
      const o = s.orders.get(plain(args.orderId));
      if (!o) return { job: null, orderCancelUserErrors: [{ field: ["orderId"], message: "Order does not exist", code: "NOT_FOUND" }], userErrors: [] };
      if (o.cancelledAt) return { job: null, orderCancelUserErrors: [{ field: ["orderId"], message: "Order has already been cancelled", code: "INVALID" }], userErrors: [] };
      // refund (deprecated) and refundMethod are exclusive, as Shopify says.
      if (args.refund !== undefined && args.refundMethod !== undefined && args.refundMethod !== null) return { job: null, orderCancelUserErrors: [{ field: ["refund"], message: "Cannot specify both refund and refundMethod", code: "INVALID" }], userErrors: [] };
      const refundMethod = args.refundMethod as Args | null | undefined;
      const refund = refundMethod ? refundMethod.originalPaymentMethodsRefund === true : args.refund === true;
      o.cancellations.push({ reason: String(args.reason), refund, restock: args.restock === true, notifyCustomer: args.notifyCustomer === true, staffNote: (args.staffNote as string | null | undefined) ?? null });
      o.cancelledAt = stamp();
      if (refund) {
        for (const l of o.lineItems) l.currentQuantity = 0;
        o.financialStatus = "REFUNDED";
      }
      o.updatedAt = stamp();
      return { job: { id: gid("Job", s.nextId()), done: false }, orderCancelUserErrors: [], userErrors: [] };
    },
    orderRiskAssessmentCreate: ({ orderRiskAssessmentInput: input }: { orderRiskAssessmentInput: Args }) => {
      const o = s.orders.get(plain(input.orderId));
      if (!o) return { orderRiskAssessment: null, userErrors: [{ field: ["orderRiskAssessmentInput", "orderId"], message: "Order does not exist", code: "NOT_FOUND" }] };
      const facts = input.facts as { description: string; sentiment: string }[];
      if (facts.length > 20) return { orderRiskAssessment: null, userErrors: [{ field: ["orderRiskAssessmentInput", "facts"], message: "Too many facts", code: "TOO_MANY_FACTS" }] };
      const a = { riskLevel: String(input.riskLevel), facts: facts.map((f) => ({ description: f.description.slice(0, 256), sentiment: f.sentiment })) };
      o.appAssessments.push(a);
      return { orderRiskAssessment: { riskLevel: a.riskLevel, facts: a.facts, provider: null }, userErrors: [] };
    },
    metafieldsSet: ({ metafields }: { metafields: Args[] }) => {
      const errors: UserErr[] = [];
      if (metafields.length > 25) errors.push({ field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO" });
      metafields.forEach((m, i) => {
        if (!s.orders.has(plain(m.ownerId))) errors.push({ field: ["metafields", String(i), "ownerId"], message: "Owner does not exist.", code: "INVALID_VALUE" });
        if (m.type === "json") {
          try {
            JSON.parse(String(m.value));
          } catch {
            errors.push({ field: ["metafields", String(i), "value"], message: "Value is invalid JSON.", code: "INVALID_VALUE" });
          }
        }
      });
      if (errors.length) return { metafields: null, userErrors: errors.map((e, i) => ({ ...e, elementIndex: i })) };
      const out = metafields.map((m) => {
        const o = s.orders.get(plain(m.ownerId))!;
        const namespace = resolveNamespace(m.namespace as string);
        const k = `${namespace}.${m.key}`;
        const existing = o.metafields.get(k);
        const mf = { id: existing?.id ?? s.nextId(), namespace, key: String(m.key), type: String(m.type ?? existing?.type ?? "single_line_text_field"), value: String(m.value) };
        o.metafields.set(k, mf);
        return metafieldView(mf);
      });
      return { metafields: out, userErrors: [] };
    },
    inventoryItemUpdate: ({ id, input }: { id: string; input: Args }) => {
      const v = s.variantByInventoryItem(plain(id));
      if (!v) return { inventoryItem: null, userErrors: [{ field: ["id"], message: "Inventory item does not exist" }] };
      if (typeof input.tracked === "boolean") v.tracked = input.tracked;
      return { inventoryItem: { id: gid("InventoryItem", v.inventoryItemId), tracked: v.tracked }, userErrors: [] };
    },
    inventorySetQuantities: ({ input }: { input: Args }, _ctx: unknown, info: GraphQLResolveInfo) => {
      const key = idempotencyKey(info);
      const fingerprint = JSON.stringify(input);
      if (key && s.idempotency.has(key)) {
        const prior = s.idempotency.get(key)!;
        if (prior.input !== fingerprint) return { inventoryAdjustmentGroup: null, userErrors: [{ field: null, message: "The same idempotency key was used with different parameters.", code: "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" }] };
        return prior.result;
      }
      const result = setQuantities(s, input, stamp);
      if (key) s.idempotency.set(key, { input: fingerprint, result });
      return result;
    },
  };
}

function idempotencyKey(info: GraphQLResolveInfo): string | null {
  const d = info.fieldNodes[0].directives?.find((x) => x.name.value === "idempotent");
  const arg = d?.arguments?.find((a) => a.name.value === "key");
  if (!arg) return null;
  if (arg.value.kind === "Variable") return String(info.variableValues[arg.value.name.value]);
  return arg.value.kind === "StringValue" ? arg.value.value : null;
}

const REASONS = new Set(["correction", "cycle_count_available", "damaged", "movement_created", "movement_updated", "movement_received", "movement_canceled", "other", "promotion", "quality_control", "received", "reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock", "shrinkage"]);

function setQuantities(s: FakeShopState, input: Args, stamp: () => string) {
  const errors: UserErr[] = [];
  const fail = (e: UserErr) => ({ inventoryAdjustmentGroup: null, userErrors: [e] });
  if (input.name !== "available" && input.name !== "on_hand") return fail({ field: ["input", "name"], message: "The quantity name must be either 'available' or 'on_hand'.", code: "INVALID_NAME" });
  if (!REASONS.has(String(input.reason))) return fail({ field: ["input", "reason"], message: "The specified reason is invalid.", code: "INVALID_REASON" });
  const quantities = input.quantities as Args[];
  const changes: { v: FakeVariant; loc: string; qty: number; from: number }[] = [];
  quantities.forEach((q, i) => {
    const v = s.variantByInventoryItem(plain(q.inventoryItemId));
    const loc = plain(q.locationId);
    if (!v) return errors.push({ field: ["input", "quantities", String(i), "inventoryItemId"], message: "The specified inventory item could not be found.", code: "INVALID_INVENTORY_ITEM" });
    if (!s.locations.has(loc) || !v.available.has(loc)) return errors.push({ field: ["input", "quantities", String(i), "locationId"], message: "The specified location could not be found.", code: "INVALID_LOCATION" });
    if ((q.quantity as number) < 0 && input.name === "on_hand") return errors.push({ field: ["input", "quantities", String(i), "quantity"], message: "The quantity can't be negative.", code: "INVALID_QUANTITY_NEGATIVE" });
    if (!("changeFromQuantity" in q)) return errors.push({ field: ["input", "quantities", String(i), "changeFromQuantity"], message: "changeFromQuantity is required.", code: "COMPARE_QUANTITY_REQUIRED" });
    const current = v.available.get(loc)!;
    if (q.changeFromQuantity !== null && q.changeFromQuantity !== current) {
      return errors.push({ field: ["input", "quantities", String(i), "changeFromQuantity"], message: "The specified compare quantity does not match the current quantity.", code: "CHANGE_FROM_QUANTITY_STALE" });
    }
    changes.push({ v, loc, qty: q.quantity as number, from: current });
  });
  // All or nothing, as Shopify applies a batch.
  if (errors.length) return { inventoryAdjustmentGroup: null, userErrors: errors };
  for (const c of changes) c.v.available.set(c.loc, c.qty);
  return { inventoryAdjustmentGroup: { id: gid("InventoryAdjustmentGroup", s.nextId()), createdAt: stamp(), reason: input.reason }, userErrors: [] };
}
