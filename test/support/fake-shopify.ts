import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { execute, GraphQLError, Kind, parse, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { SHOPIFY_API_VERSION } from "../../connectors/shopify/api-version.ts";
import { loadAdminSchema } from "../../connectors/shopify/graphql/admin-schema.ts";
import { MAX_SINGLE_QUERY_COST, requestedQueryCost } from "../../connectors/shopify/graphql/query-cost.ts";
import { validateShopifyDocument } from "../../connectors/shopify/graphql/validate-document.ts";
import { FakeShopState, PRIMARY_LOCATION_ID, resolveNamespace, rootValue, type FakeLineItem, type FakeOrder } from "./fake-shopify-store.ts";
import { deliverShopifyWebhook, orderWebhookPayload, refundWebhookPayload, signShopifyWebhook } from "./fake-shopify-webhooks.ts";

/**
 * A fake Shopify Admin GraphQL API that behaves like the real one on the wire, for integration
 * tests of anything that talks to Shopify through the connector.
 *
 *   const shopify = await startFakeShopify();                      // 127.0.0.1, random port
 *   const connector = createShopifyConnector({ shop: shopify.shop, accessToken: shopify.accessToken,
 *                                              adminOrigin: shopify.origin, timeoutMs: 5000 });
 *   const { variantIds: [v], productId } = shopify.createProduct({ title: "Game key", variants: [{ title: "EU", available: 0 }] });
 *   const order = shopify.createOrder({ email: "b@example.com", lineItems: [{ productId, variantId: v, quantity: 2, title: "Game key", price: "9.99" }] });
 *   await shopify.sendWebhook(appUrl, "orders/paid", order.orderId);  // signed with the test app secret
 *   shopify.note(order.orderId); shopify.deliveredKeys(order.orderId); shopify.requestCount("orderUpdate");
 *   shopify.failNext({ kind: "throttled" }); shopify.failNext({ kind: "http", status: 503, times: 2 });
 *   await shopify.close();
 *
 * On the wire: POST /admin/api/2026-10/graphql.json only (another version or path: 404); the
 * X-Shopify-Access-Token header must match (401 with Shopify's error text otherwise); every query
 * is parsed and validated against Shopify's real Admin schema (HTTP 200 with `errors`, as Shopify
 * answers a bad document; a body that is not JSON or has no query: 400); a query above 1,000
 * points is refused (MAX_COST_EXCEEDED); every answer carries `extensions.cost` from a leaky
 * bucket (default 2,000 points restoring 1,000/s, Shopify Plus's rate; configurable), and a query that does not fit
 * is answered THROTTLED with the bucket's state. Mutations: orderUpdate (note, metafields), metafieldsSet,
 * inventorySetQuantities (changeFromQuantity compare-and-swap, @idempotent keys, all-or-nothing),
 * inventoryItemUpdate, orderCancel (recorded in `getOrder(id).cancellations`; refund/restock as
 * asked; a second cancel is refused as Shopify does), orderRiskAssessmentCreate (kept in
 * `appAssessments`, read back in Order.risk). Order.risk: Shopify's own assessment at `riskLevel`
 * (PENDING: recommendation NONE, as while its analysis runs). Order.transactions: one SALE,
 * with CardPaymentDetails (bin, masked number "•••• •••• •••• 4242", company) unless the order
 * was created with `card: null`. Queries: order, orders (search syntax, sortKey, cursors), products,
 * nodes (variants), location, webhookSubscriptions.
 */
export interface FakeShopifyOptions {
  shop?: string;
  accessToken?: string;
  apiVersion?: string;
  /** Leaky bucket size in cost points (Shopify standard: 2,000). */
  bucketSize?: number;
  /**
   * Points restored per second. Default 1,000 (Shopify Plus) so tests of other features are not
   * slowed by pacing; pass 100 (standard plan) or a small bucket to test throttling itself.
   */
  restoreRate?: number;
  /** The clock the shop stamps createdAt/updatedAt with. */
  now?: () => Date;
}

export type FakeFailure =
  | { kind: "http"; status: number; retryAfter?: string; body?: string }
  /** A THROTTLED answer (HTTP 200) reporting the bucket as it is, or as `currentlyAvailable`. */
  | { kind: "throttled"; currentlyAvailable?: number }
  | { kind: "accessDenied" }
  /** Answer the mutation with these userErrors without executing it. */
  | { kind: "userErrors"; userErrors?: { field: string[] | null; message: string; code?: string }[] }
  /** Hold the answer this long (longer than the client's timeout makes a timeout). */
  | { kind: "delay"; ms: number }
  /** Close the connection without an answer. */
  | { kind: "reset" };

export interface FakeLineItemInput {
  productId?: string | null;
  variantId?: string | null;
  title: string;
  variantTitle?: string | null;
  sku?: string | null;
  quantity: number;
  /** Unit price as Shopify's decimal text, e.g. "9.99". */
  price?: string;
}

export interface FakeOrderInput {
  lineItems: FakeLineItemInput[];
  email?: string | null;
  name?: string;
  customer?: { firstName?: string | null; lastName?: string | null } | null;
  locale?: string | null;
  currency?: string;
  financialStatus?: "PAID" | "PENDING" | "AUTHORIZED" | "PARTIALLY_PAID" | "PARTIALLY_REFUNDED" | "REFUNDED" | "VOIDED" | "EXPIRED";
  note?: string | null;
  riskRecommendation?: "ACCEPT" | "INVESTIGATE" | "CANCEL" | "NONE";
  /** Shopify's own assessment: PENDING while its analysis runs; null for none at all. Default: the recommendation's level. */
  riskLevel?: FakeOrder["riskLevel"];
  createdAt?: string;
  updatedAt?: string;
  /** Paid by card (default: a Visa 424242…4242); null: a manual payment, no card. */
  card?: { bin: string; last4: string; company?: string | null } | null;
}

export interface FakeRequest {
  operationName: string | null;
  /** The operation's root fields: "order", "orderUpdate", … */
  rootFields: string[];
  status: number;
  outcome: "ok" | "unauthorized" | "invalid" | "throttled" | "injected" | "max_cost";
  cost: number | null;
}

export interface FakeShopify {
  /** Pass as the connector's `adminOrigin`. */
  readonly origin: string;
  readonly shop: string;
  readonly accessToken: string;
  readonly state: FakeShopState;
  close(): Promise<void>;

  createProduct(input: { title: string; variants?: { title?: string; sku?: string | null; available?: number; tracked?: boolean }[] }): { productId: string; variantIds: string[]; inventoryItemIds: string[] };
  createOrder(input: FakeOrderInput): { orderId: string; name: string; lineItemIds: string[] };
  getOrder(orderId: string): FakeOrder;
  /** Change an order as the merchant or Shopify would (bumps updatedAt unless given). */
  updateOrder(orderId: string, patch: Partial<Pick<FakeOrder, "financialStatus" | "cancelledAt" | "note" | "email" | "updatedAt" | "riskRecommendation" | "riskLevel">>): FakeOrder;
  /** A refund of some units; financial status becomes PARTIALLY_REFUNDED or REFUNDED. */
  refund(orderId: string, lines: { lineItemId: string; quantity: number }[]): FakeOrder;
  note(orderId: string): string | null;
  /** A metafield's value; namespace `$app:keyrelay` style names resolve like Shopify's. */
  metafield(orderId: string, namespace: string, key: string): string | null;
  /** keyrelay's delivered_keys metafield, parsed (null when absent). */
  deliveredKeys(orderId: string): { reference: string; lines: { lineId: string; title: string | null; codes: string[]; pendingUnits: number }[] } | null;
  inventory(variantId: string, locationId?: string): number | null;
  /** Someone edits stock by hand in the Shopify admin. */
  setInventory(variantId: string, available: number, locationId?: string): void;
  addWebhookSubscription(topic: string, uri?: string): void;

  /** Queue failures; each applies to the next matching request (`operation`: a root field). */
  failNext(failure: FakeFailure & { times?: number; operation?: string }): void;
  /** Runs `fn` just before the next request touching `rootField` executes (e.g. a hand edit between keyrelay's read and write). */
  onNext(rootField: string, fn: () => void): void;
  /** Requests received (after the token check), optionally only those touching a root field. */
  requestCount(rootField?: string): number;
  /** Requests of one named operation (`KeyrelayOrderCard`). */
  operationCount(operationName: string): number;
  readonly requests: readonly FakeRequest[];
  resetRequests(): void;
  /** The bucket as the next request would see it. */
  throttleStatus(): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };

  /** REST-shaped webhook payload for an order in the fake (note and note_attributes included). */
  orderWebhookPayload(orderId: string): Record<string, unknown>;
  /** Sign and POST a delivery to `${appUrl}/webhooks/shopify`. `payloadOrOrderId`: an order id of the fake, or any payload. */
  sendWebhook(appUrl: string, topic: string, payloadOrOrderId: string | Record<string, unknown>, opts?: { secret?: string; eventId?: string; webhookId?: string }): Promise<Response>;
}

/** The level Shopify's own assessment has for its recommendation. */
const LEVEL_OF = { ACCEPT: "LOW", INVESTIGATE: "MEDIUM", CANCEL: "HIGH", NONE: "NONE" } as const;

export async function startFakeShopify(opts: FakeShopifyOptions = {}): Promise<FakeShopify> {
  const schema = loadAdminSchema();
  const shop = opts.shop ?? "keyrelay-test.myshopify.com";
  const accessToken = opts.accessToken ?? "shpat_fake_token";
  const version = opts.apiVersion ?? SHOPIFY_API_VERSION;
  const now = opts.now ?? (() => new Date());
  const state = new FakeShopState();
  const root = rootValue(state, now);
  const bucket = { max: opts.bucketSize ?? 2000, rate: opts.restoreRate ?? 1000, available: opts.bucketSize ?? 2000, at: Date.now() };
  const failures: (FakeFailure & { times: number; operation?: string })[] = [];
  const requests: FakeRequest[] = [];
  const hooks: { rootField: string; fn: () => void }[] = [];

  const refill = () => {
    const t = Date.now();
    bucket.available = Math.min(bucket.max, bucket.available + ((t - bucket.at) / 1000) * bucket.rate);
    bucket.at = t;
    return { maximumAvailable: bucket.max, currentlyAvailable: Math.floor(bucket.available), restoreRate: bucket.rate };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void handle(req, Buffer.concat(chunks).toString("utf8"), res).catch((e) => send(res, 500, { errors: [{ message: `fake Shopify crashed: ${(e as Error).message}`, extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
    });
  });

  async function handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    if (req.method !== "POST" || req.url?.split("?")[0] !== `/admin/api/${version}/graphql.json`) return send(res, 404, { errors: "Not Found" });
    if (req.headers["x-shopify-access-token"] !== accessToken) {
      requests.push({ operationName: null, rootFields: [], status: 401, outcome: "unauthorized", cost: null });
      return send(res, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    let body: { query?: unknown; variables?: Record<string, unknown>; operationName?: string };
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, { errors: "Bad Request: the request body is not JSON" });
    }
    if (typeof body.query !== "string") return send(res, 400, { errors: { query: "Required parameter missing or invalid" } });
    let doc: DocumentNode;
    try {
      doc = parse(body.query);
    } catch (e) {
      return answer(res, { operationName: null, rootFields: [], outcome: "invalid", cost: null }, { errors: [graphqlErrorJson(e as GraphQLError)] });
    }
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!body.operationName || d.name?.value === body.operationName));
    const record = {
      operationName: op?.name?.value ?? null,
      rootFields: op ? op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) : [],
    };
    const invalid = validateShopifyDocument(schema, doc);
    if (invalid.length) return answer(res, { ...record, outcome: "invalid", cost: null }, { errors: invalid.map(graphqlErrorJson) });

    const injected = takeFailure(record.rootFields);
    if (injected) return inject(res, record, injected, op!);

    const hook = hooks.findIndex((h) => record.rootFields.includes(h.rootField));
    if (hook !== -1) hooks.splice(hook, 1)[0].fn();

    const variables = body.variables ?? {};
    const cost = requestedQueryCost(schema, doc, variables, body.operationName);
    const status = refill();
    if (cost > MAX_SINGLE_QUERY_COST) {
      return answer(res, { ...record, outcome: "max_cost", cost }, {
        errors: [{ message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).`, extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: MAX_SINGLE_QUERY_COST } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: status } },
      });
    }
    if (cost > bucket.available) {
      return answer(res, { ...record, outcome: "throttled", cost }, throttledBody(cost, status));
    }
    bucket.available -= cost;
    const result = await execute({ schema, document: doc, rootValue: root, variableValues: variables, operationName: body.operationName });
    const out: Record<string, unknown> = { data: result.data ?? null };
    if (result.errors?.length) out.errors = result.errors.map(graphqlErrorJson);
    out.extensions = { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: refill() } };
    return answer(res, { ...record, outcome: "ok", cost }, out);
  }

  function takeFailure(rootFields: string[]) {
    const i = failures.findIndex((f) => !f.operation || rootFields.includes(f.operation));
    if (i === -1) return null;
    const f = failures[i];
    if (--f.times <= 0) failures.splice(i, 1);
    return f;
  }

  async function inject(res: http.ServerResponse, record: Pick<FakeRequest, "operationName" | "rootFields">, f: FakeFailure, op: OperationDefinitionNode): Promise<void> {
    const base = { ...record, outcome: "injected" as const, cost: null };
    switch (f.kind) {
      case "http":
        requests.push({ ...base, status: f.status });
        res.writeHead(f.status, { "content-type": "application/json", ...(f.retryAfter ? { "retry-after": f.retryAfter } : {}) });
        res.end(f.body ?? JSON.stringify({ errors: f.status >= 500 ? "Internal Server Error" : "Error" }));
        return;
      case "throttled": {
        const status = refill();
        return answer(res, { ...base, outcome: "throttled" }, throttledBody(50, { ...status, currentlyAvailable: f.currentlyAvailable ?? status.currentlyAvailable }));
      }
      case "accessDenied":
        return answer(res, base, { data: null, errors: [{ message: "Access denied for orders field. Required access: `read_orders` access scope.", extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes" } }] });
      case "userErrors": {
        if (op.operation !== "mutation") throw new Error("userErrors can only be injected into a mutation");
        const data: Record<string, unknown> = {};
        for (const name of record.rootFields) data[name] = { userErrors: f.userErrors ?? [{ field: ["input"], message: "Injected user error", code: "INVALID" }] };
        return answer(res, base, { data, extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: refill() } } });
      }
      case "delay":
        await new Promise((r) => setTimeout(r, f.ms));
        requests.push({ ...base, status: 504 });
        if (!res.destroyed) send(res, 504, { errors: "Gateway Timeout" });
        return;
      case "reset":
        requests.push({ ...base, status: 0 });
        res.socket?.destroy();
        return;
    }
  }

  function answer(res: http.ServerResponse, r: Omit<FakeRequest, "status">, body: unknown): void {
    requests.push({ ...r, status: 200 });
    send(res, 200, body);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const findOrder = (id: string) => {
    const o = state.orders.get(id);
    if (!o) throw new Error(`fake Shopify has no order ${id}`);
    return o;
  };

  return {
    origin: `http://127.0.0.1:${port}`,
    shop,
    accessToken,
    state,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),

    createProduct(input) {
      const productId = state.nextId();
      const variants = input.variants?.length ? input.variants : [{ title: "Default Title" }];
      const variantIds: string[] = [];
      const inventoryItemIds: string[] = [];
      for (const v of variants) {
        const id = state.nextId();
        const item = state.nextId();
        state.variants.set(id, { id, productId, title: v.title ?? "Default Title", sku: v.sku ?? null, inventoryItemId: item, tracked: v.tracked ?? true, available: new Map([[PRIMARY_LOCATION_ID, v.available ?? 0]]) });
        variantIds.push(id);
        inventoryItemIds.push(item);
      }
      state.products.set(productId, { id: productId, title: input.title, variantIds });
      return { productId, variantIds, inventoryItemIds };
    },

    createOrder(input) {
      const id = state.nextId();
      const stamp = input.createdAt ?? now().toISOString();
      const lineItems: FakeLineItem[] = input.lineItems.map((l) => ({
        id: state.nextId(),
        productId: l.productId ?? (l.variantId ? (state.variants.get(l.variantId)?.productId ?? null) : null),
        variantId: l.variantId ?? null,
        title: l.title,
        variantTitle: l.variantTitle ?? null,
        sku: l.sku ?? null,
        quantity: l.quantity,
        currentQuantity: l.quantity,
        price: l.price ?? "10.00",
      }));
      const order: FakeOrder = {
        id,
        name: input.name ?? state.nextOrderName(),
        email: input.email === undefined ? "buyer@example.com" : input.email,
        customerId: input.customer === null ? null : state.nextId(),
        customerFirstName: input.customer?.firstName ?? "Test",
        customerLastName: input.customer?.lastName ?? "Buyer",
        confirmationNumber: Array.from(crypto.randomBytes(9), (b) => "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[b % 32]).join(""),
        locale: input.locale ?? "en",
        currency: input.currency ?? "USD",
        financialStatus: input.financialStatus ?? "PAID",
        cancelledAt: null,
        createdAt: stamp,
        updatedAt: input.updatedAt ?? stamp,
        note: input.note ?? null,
        riskRecommendation: input.riskRecommendation ?? "ACCEPT",
        riskLevel: input.riskLevel === undefined ? LEVEL_OF[input.riskRecommendation ?? "ACCEPT"] : input.riskLevel,
        appAssessments: [],
        card: input.card === null ? null : { bin: input.card?.bin ?? "424242", last4: input.card?.last4 ?? "4242", company: input.card?.company === undefined ? "Visa" : input.card.company },
        cancellations: [],
        lineItems,
        refunds: [],
        metafields: new Map(),
      };
      state.orders.set(id, order);
      return { orderId: id, name: order.name, lineItemIds: lineItems.map((l) => l.id) };
    },

    getOrder: findOrder,

    updateOrder(orderId, patch) {
      const o = findOrder(orderId);
      Object.assign(o, patch);
      if (!patch.updatedAt) o.updatedAt = now().toISOString();
      return o;
    },

    refund(orderId, lines) {
      const o = findOrder(orderId);
      for (const r of lines) {
        const l = o.lineItems.find((x) => x.id === r.lineItemId);
        if (!l || r.quantity > l.currentQuantity) throw new Error(`cannot refund ${r.quantity} of line ${r.lineItemId}`);
        l.currentQuantity -= r.quantity;
      }
      o.refunds.push({ id: state.nextId(), createdAt: now().toISOString(), lines });
      o.financialStatus = o.lineItems.every((l) => l.currentQuantity === 0) ? "REFUNDED" : "PARTIALLY_REFUNDED";
      o.updatedAt = now().toISOString();
      return o;
    },

    note: (orderId) => findOrder(orderId).note,
    metafield: (orderId, namespace, key) => findOrder(orderId).metafields.get(`${resolveNamespace(namespace)}.${key}`)?.value ?? null,
    deliveredKeys(orderId) {
      const v = findOrder(orderId).metafields.get(`${resolveNamespace("$app:keyrelay")}.delivered_keys`)?.value;
      return v ? JSON.parse(v) : null;
    },
    inventory: (variantId, locationId = PRIMARY_LOCATION_ID) => state.variants.get(variantId)?.available.get(locationId) ?? null,
    setInventory(variantId, available, locationId = PRIMARY_LOCATION_ID) {
      const v = state.variants.get(variantId);
      if (!v) throw new Error(`fake Shopify has no variant ${variantId}`);
      v.available.set(locationId, available);
    },
    addWebhookSubscription(topic, uri = "https://keyrelay.example/webhooks/shopify") {
      state.webhookSubscriptions.push({ id: state.nextId(), topic, uri });
    },

    failNext(f) {
      failures.push({ ...f, times: f.times ?? 1 });
    },
    onNext(rootField, fn) {
      hooks.push({ rootField, fn });
    },
    requestCount: (rootField) => requests.filter((r) => !rootField || r.rootFields.includes(rootField)).length,
    operationCount: (name) => requests.filter((r) => r.operationName === name).length,
    resetRequests() {
      requests.length = 0;
    },
    throttleStatus: refill,

    orderWebhookPayload: (orderId) => orderWebhookPayload(findOrder(orderId)),
    sendWebhook(appUrl, topic, payloadOrOrderId, o = {}) {
      const payload =
        typeof payloadOrOrderId !== "string"
          ? payloadOrOrderId
          : topic === "refunds/create"
            ? refundWebhookPayload(findOrder(payloadOrOrderId))
            : orderWebhookPayload(findOrder(payloadOrOrderId));
      return deliverShopifyWebhook(appUrl, signShopifyWebhook({ shop, topic, payload, ...o }));
    },
  };
}

function throttledBody(cost: number, status: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number }) {
  return {
    errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
    extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: status } },
  };
}

function graphqlErrorJson(e: GraphQLError): Record<string, unknown> {
  const json = e.toJSON() as unknown as Record<string, unknown>;
  return { ...json, extensions: { code: "GRAPHQL_VALIDATION_FAILED", ...(e.extensions ?? {}) } };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

export { signShopifyWebhook, deliverShopifyWebhook, orderWebhookPayload };
export type { FakeOrder, FakeLineItem };
