import crypto from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticate, capabilityError, permissionError, phpQuery, type FakeApiKey, type WpErrorBody } from "./fake-woocommerce-auth.ts";
import {
  money,
  orderJson,
  productJson,
  setMeta,
  stockStatus,
  variationJson,
  wcDate,
  webhookJson,
  type FakeBilling,
  type FakeNote,
  type FakeOrder,
  type FakeProduct,
  type FakeRefund,
  type FakeVariation,
  type FakeWebhook,
} from "./fake-woocommerce-store.ts";
import { phpJsonEncode, signWooCommerceDelivery, wooCommercePing, type SignedDelivery } from "./fake-woocommerce-webhooks.ts";

/**
 * A fake WooCommerce REST API (wc/v3) on 127.0.0.1, plain HTTP, that behaves like the real one on
 * the wire: OAuth 1.0a signatures checked as WooCommerce checks them (or Basic auth with
 * `ssl: true`, as WooCommerce does behind HTTPS), `{code, message, data: {status}}` errors,
 * X-WP-Total / X-WP-TotalPages / Link pagination, per_page ≤ 100, batch endpoints refusing more
 * than 100 items with 413 and answering per-item errors inside a 200, read-only keys refused on
 * writes, PHP-style JSON (`\/`, `\uXXXX`), signed webhook deliveries.
 *
 *   const wc = await startFakeWooCommerce();
 *   const p = wc.createProduct({ name: "Game key", price: "10.00" });
 *   const o = wc.createOrder({ line_items: [{ product_id: p.id, quantity: 2 }], status: "processing" });
 *   const connector = createWooCommerceConnector({ ...wc.connection, timeoutMs: 5000 });
 *   …
 *   wc.getNotes(o.id); wc.getMeta(o.id, "_keyrelay_delivery_ref"); wc.count("POST /orders/:id/notes");
 *   await wc.close();
 */
export interface FakeWooCommerceOptions {
  /** Pretend to be behind HTTPS: Basic auth is accepted (the fake still listens on plain HTTP). */
  ssl?: boolean;
  currency?: string;
  /** Store data timestamps (date_modified_gmt…); default: the real clock. OAuth timestamps always use the real clock. */
  clock?: () => Date;
  /** Deliver order.created / order.updated to registered active webhooks on every change (async; `await wc.idle()`). */
  autoDeliverWebhooks?: boolean;
  siteName?: string;
}

export interface CreateOrderInput {
  line_items: { product_id: number; variation_id?: number; quantity: number; price?: string | number; name?: string }[];
  status?: string;
  billing?: Partial<FakeBilling>;
  currency?: string;
  number?: string;
  customer_note?: string;
  date_created_gmt?: string;
  date_modified_gmt?: string;
}

export interface InjectedFailure {
  status: 429 | 500 | 502 | 503 | 504;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  /** Only requests whose route key matches, e.g. "GET /orders" or "POST /products/batch". */
  route?: string;
  /** Answer after this long (for client timeouts) — with `status` unless `hangOnly`. */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  /** Numeric path segments replaced with :id, e.g. "POST /orders/:id/notes". */
  route: string;
  path: string;
  status: number;
  body: unknown;
}

export interface RecordedDelivery {
  webhookId: number;
  topic: string;
  status: number | null;
  error: string | null;
}

export type FakeWooCommerce = Awaited<ReturnType<typeof startFakeWooCommerce>>;

const BATCH_LIMIT = 100;

export async function startFakeWooCommerce(options: FakeWooCommerceOptions = {}) {
  const clock = options.clock ?? (() => new Date());
  const currency = options.currency ?? "USD";
  const decimals = currency === "JPY" ? 0 : 2;
  let nextPostId = 100;
  let nextItemId = 1;
  let nextMetaId = 1;
  let nextCommentId = 1;
  let nextWebhookId = 1;
  const postId = () => nextPostId++;
  const metaId = () => nextMetaId++;

  const keys = new Map<string, FakeApiKey>();
  const products = new Map<number, FakeProduct>();
  const variations = new Map<number, FakeVariation>();
  const orders = new Map<number, FakeOrder>();
  const notes = new Map<number, FakeNote[]>();
  const refunds = new Map<number, FakeRefund[]>();
  const webhooks = new Map<number, FakeWebhook>();
  const settings: Record<string, string> = { woocommerce_manage_stock: "yes", woocommerce_currency: currency, woocommerce_price_num_decimals: String(decimals) };
  const failures: (InjectedFailure & { remaining: number })[] = [];
  const requests: RecordedRequest[] = [];
  const deliveries: RecordedDelivery[] = [];
  const refundRequests: { orderId: number; amount: string; reason: string; apiRefund: boolean; apiRestock: boolean }[] = [];
  const pending = new Set<Promise<unknown>>();

  function addApiKey(input: { permissions?: FakeApiKey["permissions"]; canManage?: boolean } = {}) {
    const key: FakeApiKey = {
      consumerKey: `ck_${crypto.randomBytes(20).toString("hex")}`,
      consumerSecret: `cs_${crypto.randomBytes(20).toString("hex")}`,
      permissions: input.permissions ?? "read_write",
      canManage: input.canManage ?? true,
      nonces: new Map(),
    };
    keys.set(key.consumerKey, key);
    return { consumerKey: key.consumerKey, consumerSecret: key.consumerSecret };
  }
  const main = addApiKey();

  // ---- data helpers (public API below) ----
  function touchOrder(o: FakeOrder, topic: "order.updated" | "order.created" = "order.updated") {
    o.date_modified_gmt = wcDate(clock());
    if (options.autoDeliverWebhooks) void deliverTopic(topic, o.id);
  }

  function createProduct(input: { name: string; type?: "simple" | "variable"; sku?: string; price?: string; manage_stock?: boolean; stock_quantity?: number | null; status?: string }): FakeProduct {
    const p: FakeProduct = {
      id: postId(),
      name: input.name,
      type: input.type ?? "simple",
      status: input.status ?? "publish",
      sku: input.sku ?? "",
      price: input.price ?? money(10, decimals),
      manage_stock: input.manage_stock ?? false,
      stock_quantity: input.manage_stock ? (input.stock_quantity ?? 0) : null,
      stock_status: input.manage_stock ? stockStatus(input.stock_quantity ?? 0) : "instock",
      variations: [],
      date_modified_gmt: wcDate(clock()),
    };
    products.set(p.id, p);
    return p;
  }

  function createVariation(productId: number, input: { attributes: { name: string; option: string }[]; sku?: string; price?: string; manage_stock?: boolean; stock_quantity?: number | null }): FakeVariation {
    const parent = products.get(productId);
    if (!parent) throw new Error(`fake WooCommerce: no product ${productId}`);
    parent.type = "variable";
    const v: FakeVariation = {
      id: postId(),
      parent_id: productId,
      sku: input.sku ?? "",
      price: input.price ?? parent.price,
      attributes: input.attributes.map((a) => ({ id: 0, ...a })),
      manage_stock: input.manage_stock ?? false,
      stock_quantity: input.manage_stock ? (input.stock_quantity ?? 0) : null,
      stock_status: input.manage_stock ? stockStatus(input.stock_quantity ?? 0) : "instock",
      date_modified_gmt: wcDate(clock()),
    };
    variations.set(v.id, v);
    parent.variations.push(v.id);
    return v;
  }

  function createOrder(input: CreateOrderInput): FakeOrder {
    const id = postId();
    const orderCurrency = input.currency ?? currency;
    const dec = orderCurrency === "JPY" ? 0 : 2;
    const line_items = input.line_items.map((li) => {
      const product = products.get(li.product_id);
      const variation = li.variation_id ? variations.get(li.variation_id) : undefined;
      const unit = Number(li.price ?? variation?.price ?? product?.price ?? 10);
      const name = li.name ?? (product ? (variation ? `${product.name} - ${variation.attributes.map((a) => a.option).join(", ")}` : product.name) : "Item");
      return {
        id: nextItemId++,
        name,
        product_id: li.product_id,
        variation_id: li.variation_id ?? 0,
        quantity: li.quantity,
        subtotal: money(unit * li.quantity, dec),
        total: money(unit * li.quantity, dec),
        sku: variation?.sku || product?.sku || "",
        price: unit,
        meta_data: [],
      };
    });
    const now = wcDate(clock());
    const o: FakeOrder = {
      id,
      number: input.number ?? String(id),
      status: input.status ?? "pending",
      currency: orderCurrency,
      total: money(line_items.reduce((s, li) => s + Number(li.total), 0), dec),
      customer_note: input.customer_note ?? "",
      billing: { first_name: "Ada", last_name: "Buyer", email: `buyer${id}@example.com`, ...input.billing } as FakeBilling,
      line_items,
      meta_data: [],
      refunds: [],
      date_created_gmt: input.date_created_gmt ?? now,
      date_modified_gmt: input.date_modified_gmt ?? input.date_created_gmt ?? now,
    };
    orders.set(id, o);
    notes.set(id, []);
    refunds.set(id, []);
    if (options.autoDeliverWebhooks) void deliverTopic("order.created", id);
    return o;
  }

  function mustOrder(id: number): FakeOrder {
    const o = orders.get(id);
    if (!o) throw new Error(`fake WooCommerce: no order ${id}`);
    return o;
  }

  function addNote(orderId: number, note: string, customerNote: boolean, author = "system"): FakeNote {
    const n: FakeNote = { id: nextCommentId++, author, date_created_gmt: wcDate(clock()), note, customer_note: customerNote };
    notes.get(orderId)!.unshift(n); // WooCommerce lists newest first
    return n;
  }

  /** A refund of some units of some lines (as the merchant does in the order screen); a full refund sets status refunded. */
  function addRefund(orderId: number, input: { lines: { line_item_id: number; quantity: number }[]; reason?: string; amount?: string }): FakeRefund {
    const o = mustOrder(orderId);
    const dec = o.currency === "JPY" ? 0 : 2;
    const items = input.lines.map((l) => {
      const li = o.line_items.find((x) => x.id === l.line_item_id);
      if (!li) throw new Error(`fake WooCommerce: order ${orderId} has no line ${l.line_item_id}`);
      const total = money(-li.price * l.quantity, dec);
      return { id: nextItemId++, name: li.name, product_id: li.product_id, variation_id: li.variation_id, quantity: -l.quantity, subtotal: total, total, price: -li.price, meta_data: [{ id: metaId(), key: "_refunded_item_id", value: String(li.id) }] };
    });
    const amount = input.amount ?? money(-items.reduce((s, i) => s + Number(i.total), 0), dec);
    const r: FakeRefund = { id: postId(), date_created_gmt: wcDate(clock()), amount, reason: input.reason ?? "", line_items: items };
    refunds.get(orderId)!.unshift(r);
    o.refunds.unshift({ id: r.id, reason: r.reason, total: money(-Number(amount), dec) });
    const refundedTotal = o.refunds.reduce((s, x) => s - Number(x.total), 0);
    if (refundedTotal >= Number(o.total)) o.status = "refunded";
    addNote(orderId, `Refunded ${amount} – ${r.reason || "no reason"}`, false);
    touchOrder(o);
    return r;
  }

  // ---- webhooks ----
  function signDelivery(webhookId: number, topic: string, payload: unknown, deliveryId?: string): SignedDelivery {
    const w = webhooks.get(webhookId);
    if (!w) throw new Error(`fake WooCommerce: no webhook ${webhookId}`);
    return signWooCommerceDelivery({ secret: w.secret, topic, payload, webhookId, source: `${home()}/`, deliveryId });
  }

  /** POSTs `topic` for `orderId` to the webhook's delivery URL as WooCommerce does; records the answer; disables the webhook after more than 5 consecutive failures. */
  async function deliver(webhookId: number, topic: string, orderId: number): Promise<RecordedDelivery> {
    const w = webhooks.get(webhookId)!;
    const o = orders.get(orderId);
    const payload = topic === "order.deleted" || !o ? { id: orderId } : orderJson(o, home());
    const d = signDelivery(webhookId, topic, payload);
    const record: RecordedDelivery = { webhookId, topic, status: null, error: null };
    try {
      const res = await fetch(w.delivery_url, { method: "POST", headers: d.headers, body: new Uint8Array(d.body), signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      record.status = res.status;
    } catch (e) {
      record.error = (e as Error).message;
    }
    const ok = record.status !== null && record.status >= 200 && record.status < 300;
    w.failure_count = ok ? 0 : w.failure_count + 1;
    if (w.failure_count > 5) w.status = "disabled";
    deliveries.push(record);
    return record;
  }

  function deliverTopic(topic: string, orderId: number): Promise<unknown> {
    const targets = [...webhooks.values()].filter((w) => w.status === "active" && w.topic === topic);
    const p = Promise.all(targets.map((w) => deliver(w.id, topic, orderId)));
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  }

  async function ping(webhookId: number): Promise<number> {
    const w = webhooks.get(webhookId)!;
    const d = wooCommercePing(webhookId);
    const res = await fetch(w.delivery_url, { method: "POST", headers: d.headers, body: new Uint8Array(d.body) });
    await res.arrayBuffer();
    return res.status;
  }

  // ---- HTTP ----
  let port = 0;
  const home = () => `http://127.0.0.1:${port}`;

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, { code: "internal_server_error", message: `<p>There has been a critical error on this website.</p> ${(e as Error).message}`, data: { status: 500 } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const path = decodeURIComponent(q === -1 ? raw : raw.slice(0, q));
    const query = phpQuery(q === -1 ? "" : raw.slice(q + 1));
    const method = (req.method ?? "GET").toUpperCase();
    const bodyText = await readBody(req);
    let body: unknown = undefined;
    if (bodyText) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        return reply(res, method, "?", path, body, 400, { code: "rest_invalid_json", message: "Invalid JSON body passed.", data: { status: 400 } });
      }
    }

    if (path === "/wp-json" || path === "/wp-json/") {
      return reply(res, method, "GET /", path, body, 200, {
        name: options.siteName ?? "Fake Woo Store",
        description: "Just another WordPress site",
        url: home(),
        home: home(),
        gmt_offset: 0,
        timezone_string: "UTC",
        namespaces: ["oembed/1.0", "wc/store/v1", "wc/v3", "wc/v2", "wc/v1", "wp/v2", "wp-site-health/v1"],
        authentication: [],
        routes: {},
      });
    }
    if (!path.startsWith("/wp-json/")) {
      res.writeHead(404, { "content-type": "text/html; charset=UTF-8" });
      res.end("<!doctype html><html><body><h1>Page not found</h1></body></html>");
      return;
    }
    const prefix = "/wp-json/wc/v3/";
    if (!path.startsWith(prefix)) return reply(res, method, "?", path, body, 404, noRoute());
    const rest = path.slice(prefix.length).replace(/\/+$/, "");
    const route = `${method} /${rest.replace(/(^|\/)\d+(?=\/|$)/g, "$1:id")}`;

    const failure = failures.find((f) => f.remaining > 0 && (!f.route || f.route === route));
    if (failure) {
      failure.remaining--;
      if (failure.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
      const headers: Record<string, string> = failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : {};
      const err =
        failure.status === 500
          ? { code: "internal_server_error", message: "<p>There has been a critical error on this website.</p>", data: { status: 500 }, additional_errors: [] }
          : { code: failure.status === 429 ? "too_many_requests" : "service_unavailable", message: failure.status === 429 ? "Too many requests." : "Service unavailable.", data: { status: failure.status } };
      return reply(res, method, route, path, body, failure.status, err, headers);
    }

    const auth = authenticate(req, { ssl: !!options.ssl, home: options.ssl ? home().replace("http:", "https:") : home(), keys });
    if (auth.kind === "error") {
      const headers: Record<string, string> = auth.basic ? { "www-authenticate": 'Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the password field."' } : {};
      return reply(res, method, route, path, body, auth.status, auth.body, headers);
    }
    if (auth.kind === "ok") {
      const denied = permissionError(auth.key, method);
      if (denied) return reply(res, method, route, path, body, denied.data.status, denied);
    }
    const segments = rest.split("/");
    const isCollection = !/\d$/.test(rest);
    if (auth.kind === "anonymous" || !auth.key.canManage) {
      const err = capabilityError(method, isCollection, auth.kind === "ok");
      return reply(res, method, route, path, body, err.data.status, err);
    }

    const answer = dispatch(method, segments, query, body);
    if (answer.fields && answer.status < 300 && answer.body && typeof answer.body === "object" && !Array.isArray(answer.body)) {
      answer.body = Object.fromEntries(Object.entries(answer.body).filter(([k]) => answer.fields!.includes(k)));
    }
    return reply(res, method, route, path, body, answer.status, answer.body, answer.headers ?? {});
  }

  type Answer = { status: number; body: unknown; headers?: Record<string, string>; fields?: string[] };
  const ok = (b: unknown, status = 200): Answer => ({ status, body: b });
  const err = (status: number, code: string, message: string): Answer => ({ status, body: { code, message, data: { status } } });
  const noRoute = (): WpErrorBody => ({ code: "rest_no_route", message: "No route was found matching the URL and request method.", data: { status: 404 } });
  const invalidId = (postType: string, status: number) => err(status, `woocommerce_rest_${postType}_invalid_id`, "Invalid ID.");

  function dispatch(method: string, s: string[], query: Record<string, string | Record<string, string>>, body: unknown): Answer {
    const b = (body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof query[k] === "string" ? (query[k] as string) : undefined);
    const fields = str("_fields")?.split(",").map((f) => f.trim());
    const id = (i: number) => (/^\d+$/.test(s[i] ?? "") ? Number(s[i]) : NaN);
    const key = `${method} ${s.map((x) => (/^\d+$/.test(x) ? ":id" : x)).join("/")}`;

    switch (key) {
      case "GET system_status":
        return { ...ok({ environment: { home_url: home(), site_url: home(), version: "10.3.0", wp_version: "6.8.3", language: "en_US" }, settings: { currency: settings.woocommerce_currency, currency_symbol: "$" }, database: {}, active_plugins: [] }), fields };
      case "GET settings/general":
        return ok([{ id: "woocommerce_currency", value: settings.woocommerce_currency }, { id: "woocommerce_price_num_decimals", value: settings.woocommerce_price_num_decimals }]);
      case "GET settings/products/woocommerce_manage_stock":
        return ok({ id: "woocommerce_manage_stock", label: "Manage stock", type: "checkbox", default: "yes", value: settings.woocommerce_manage_stock });
      case "GET orders": {
        let list = [...orders.values()];
        const statuses = str("status")?.split(",").filter((x) => x && x !== "any");
        if (statuses?.length) list = list.filter((o) => statuses.includes(o.status));
        const after = str("modified_after");
        if (after) list = list.filter((o) => o.date_modified_gmt > after.slice(0, 19));
        const search = str("search")?.toLowerCase();
        if (search) list = list.filter((o) => [o.number, String(o.id), o.billing.email, o.billing.first_name, o.billing.last_name, ...o.line_items.map((l) => l.name)].some((x) => x.toLowerCase().includes(search)));
        const include = str("include")?.split(",").map(Number);
        if (include?.length) list = list.filter((o) => include.includes(o.id));
        const orderby = str("orderby") ?? "date";
        const field = orderby === "modified" ? "date_modified_gmt" : orderby === "id" ? "id" : "date_created_gmt";
        const dir = (str("order") ?? "desc") === "asc" ? 1 : -1;
        list.sort((x, y) => (x[field] < y[field] ? -dir : x[field] > y[field] ? dir : (x.id - y.id) * dir));
        return paginate(list.map((o) => orderJson(o, home())), query, "orders");
      }
      case "GET orders/:id": {
        const o = orders.get(id(1));
        return o ? ok(orderJson(o, home())) : invalidId("shop_order", 404);
      }
      case "PUT orders/:id": {
        const o = orders.get(id(1));
        if (!o) return invalidId("shop_order", 400);
        if (Array.isArray(b.meta_data)) {
          for (const m of b.meta_data as { id?: number; key?: string; value?: unknown }[]) {
            const byId = m.id ? o.meta_data.find((x) => x.id === m.id) : undefined;
            if (byId) byId.value = m.value;
            else if (m.key) setMeta(o.meta_data, m.key, m.value, metaId);
          }
        }
        if (typeof b.status === "string") o.status = b.status;
        if (typeof b.customer_note === "string") o.customer_note = b.customer_note;
        touchOrder(o);
        return ok(orderJson(o, home()));
      }
      case "GET orders/:id/notes": {
        if (!orders.has(id(1))) return invalidId("shop_order", 404);
        const type = str("type") ?? "any";
        const list = notes.get(id(1))!.filter((n) => type === "any" || (type === "customer" ? n.customer_note : !n.customer_note));
        return ok(list.map(noteJson));
      }
      case "POST orders/:id/notes": {
        const o = orders.get(id(1));
        if (!o) return invalidId("shop_order", 404);
        if (typeof b.note !== "string" || !b.note) return err(400, "rest_missing_callback_param", "Missing parameter(s): note");
        const n = addNote(o.id, b.note, b.customer_note === true || b.customer_note === "true", "api");
        return ok(noteJson(n), 201);
      }
      case "POST orders/:id/refunds": {
        // As WooCommerce's REST refund endpoint: an amount up to what is left, the gateway asked
        // to refund (api_refund, default true) and the items restocked (api_restock, default true).
        const o = orders.get(id(1));
        if (!o) return invalidId("shop_order", 404);
        const amount = Number(b.amount);
        const left = Number(o.total) + o.refunds.reduce((sum, x) => sum + Number(x.total), 0);
        if (!Number.isFinite(amount) || amount <= 0 || amount > left + 1e-9) return err(500, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.");
        const r = addRefund(o.id, { lines: [], reason: typeof b.reason === "string" ? b.reason : "", amount: money(amount, o.currency === "JPY" ? 0 : 2) });
        refundRequests.push({ orderId: o.id, amount: r.amount, reason: r.reason, apiRefund: b.api_refund !== false, apiRestock: b.api_restock !== false });
        return ok({ ...r, date_created: r.date_created_gmt, refunded_by: 1, refunded_payment: b.api_refund !== false, meta_data: [] }, 201);
      }
      case "GET orders/:id/refunds": {
        if (!orders.has(id(1))) return invalidId("shop_order", 404);
        return paginate(refunds.get(id(1))!.map((r) => ({ ...r, date_created: r.date_created_gmt, refunded_by: 1, refunded_payment: false, meta_data: [], shipping_lines: [], tax_lines: [], fee_lines: [] })), query, `orders/${id(1)}/refunds`);
      }
      case "GET products": {
        let list = [...products.values()];
        const search = str("search")?.toLowerCase();
        if (search) list = list.filter((p) => p.name.toLowerCase().includes(search));
        const sku = str("sku");
        if (sku) list = list.filter((p) => sku.split(",").includes(p.sku));
        const type = str("type");
        if (type) list = list.filter((p) => p.type === type);
        const include = str("include")?.split(",").map(Number);
        if (include?.length) list = list.filter((p) => include.includes(p.id));
        const byTitle = str("orderby") === "title";
        const dir = str("order") === "asc" ? 1 : -1;
        list.sort((x, y) => (byTitle ? x.name.localeCompare(y.name) * dir : (x.id - y.id) * dir));
        return paginate(list.map((p) => productJson(p, home())), query, "products");
      }
      case "GET products/:id": {
        const p = products.get(id(1));
        return p ? ok(productJson(p, home())) : invalidId("product", 404);
      }
      case "POST products/batch":
        return batch(b, (item) => updateStock(products.get(Number(item.id)), item, "product"), (p) => productJson(p as FakeProduct, home()));
      case "GET products/:id/variations": {
        const p = products.get(id(1));
        if (!p) return invalidId("product", 404);
        const include = str("include")?.split(",").map(Number);
        const list = p.variations.filter((v) => !include?.length || include.includes(v));
        return paginate(list.map((v) => variationJson(variations.get(v)!, home())), query, `products/${p.id}/variations`);
      }
      case "GET products/:id/variations/:id": {
        const v = variations.get(id(3));
        return v && v.parent_id === id(1) ? ok(variationJson(v, home())) : invalidId("product_variation", 404);
      }
      case "POST products/:id/variations/batch": {
        const parent = id(1);
        return batch(
          b,
          (item) => {
            const v = variations.get(Number(item.id));
            return updateStock(v && v.parent_id === parent ? v : undefined, item, "product_variation");
          },
          (v) => variationJson(v as FakeVariation, home()),
        );
      }
      case "GET webhooks":
        return paginate([...webhooks.values()].filter((w) => !str("status") || str("status") === "all" || w.status === str("status")).map((w) => webhookJson(w, home())), query, "webhooks");
      case "GET webhooks/:id": {
        const w = webhooks.get(id(1));
        return w ? ok(webhookJson(w, home())) : err(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
      }
      case "POST webhooks": {
        if (typeof b.topic !== "string" || typeof b.delivery_url !== "string") return err(400, "rest_missing_callback_param", `Missing parameter(s): ${["topic", "delivery_url"].filter((k) => typeof b[k] !== "string").join(", ")}`);
        if (!/^[a-z_]+\.[a-z_]+$/.test(b.topic) || !["order", "product", "customer", "coupon", "action"].includes(b.topic.split(".")[0])) return err(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.");
        try {
          new URL(b.delivery_url);
        } catch {
          return err(400, "rest_invalid_param", "Invalid parameter(s): delivery_url");
        }
        const now = wcDate(clock());
        const w: FakeWebhook = {
          id: nextWebhookId++,
          name: typeof b.name === "string" ? b.name : `Webhook created on ${now}`,
          status: b.status === "paused" || b.status === "disabled" ? b.status : "active",
          topic: b.topic,
          resource: b.topic.split(".")[0],
          event: b.topic.split(".")[1],
          delivery_url: b.delivery_url,
          secret: typeof b.secret === "string" && b.secret ? b.secret : crypto.randomBytes(25).toString("hex"),
          api_version: "wp_api_v3",
          failure_count: 0,
          date_created_gmt: now,
          date_modified_gmt: now,
        };
        webhooks.set(w.id, w);
        return ok(webhookJson(w, home()), 201);
      }
      case "PUT webhooks/:id": {
        const w = webhooks.get(id(1));
        if (!w) return err(400, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
        if (b.status === "active" || b.status === "paused" || b.status === "disabled") {
          w.status = b.status;
          if (b.status === "active") w.failure_count = 0;
        }
        if (typeof b.delivery_url === "string") w.delivery_url = b.delivery_url;
        if (typeof b.secret === "string") w.secret = b.secret;
        return ok(webhookJson(w, home()));
      }
      case "DELETE webhooks/:id": {
        const w = webhooks.get(id(1));
        if (!w) return err(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
        if (str("force") !== "true" && str("force") !== "1") return err(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.");
        webhooks.delete(w.id);
        return ok(webhookJson(w, home()));
      }
      case "POST webhooks/batch":
        return batch(b, () => err(400, "woocommerce_rest_webhook_invalid_id", "Invalid ID."), () => ({}));
      default:
        return { status: 404, body: noRoute() };
    }
  }

  function noteJson(n: FakeNote) {
    return { id: n.id, author: n.author, date_created: n.date_created_gmt, date_created_gmt: n.date_created_gmt, note: n.note, customer_note: n.customer_note };
  }

  /** WC_REST_Controller::batch_items: > 100 items → 413; each item answered in order, errors inline. */
  function batch(b: Record<string, unknown>, update: (item: Record<string, unknown>) => Answer, toJson: (x: unknown) => unknown): Answer {
    const lists = ["create", "update", "delete"].map((k) => (Array.isArray(b[k]) ? (b[k] as Record<string, unknown>[]) : []));
    const total = lists.reduce((n, l) => n + l.length, 0);
    if (total > BATCH_LIMIT) return err(413, "woocommerce_rest_request_entity_too_large", `Unable to accept more than ${BATCH_LIMIT} items for this request.`);
    const out: Record<string, unknown[]> = {};
    if (lists[1].length) {
      out.update = lists[1].map((item) => {
        const a = update(item);
        return a.status >= 400 ? { id: Number(item.id) || 0, error: a.body } : toJson(a.body);
      });
    }
    return ok(out);
  }

  function updateStock(target: FakeProduct | FakeVariation | undefined, item: Record<string, unknown>, postType: string): Answer {
    if (!target) return invalidId(postType, 400);
    // With stock management off store-wide, WooCommerce ignores stock fields without an error.
    if (settings.woocommerce_manage_stock === "yes") {
      if (typeof item.manage_stock === "boolean") target.manage_stock = item.manage_stock;
      if (item.stock_quantity !== undefined && target.manage_stock === true) {
        target.stock_quantity = Math.trunc(Number(item.stock_quantity));
        target.stock_status = stockStatus(target.stock_quantity);
      }
    }
    target.date_modified_gmt = wcDate(clock());
    return ok(target);
  }

  function paginate(items: unknown[], query: Record<string, string | Record<string, string>>, route: string): Answer {
    const perPage = query.per_page === undefined ? 10 : Number(query.per_page);
    const page = query.page === undefined ? 1 : Number(query.page);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) return { status: 400, body: { code: "rest_invalid_param", message: "Invalid parameter(s): per_page", data: { status: 400, params: { per_page: "per_page must be between 1 (inclusive) and 100 (inclusive)" } } } };
    if (!Number.isInteger(page) || page < 1) return { status: 400, body: { code: "rest_invalid_param", message: "Invalid parameter(s): page", data: { status: 400, params: { page: "page must be greater than or equal to 1" } } } };
    const totalPages = Math.ceil(items.length / perPage);
    const headers: Record<string, string> = { "x-wp-total": String(items.length), "x-wp-totalpages": String(totalPages) };
    // WordPress builds Link from the request's own parameters; the fake leaves OAuth's out.
    const base = new URL(`${home()}/wp-json/wc/v3/${route}`);
    for (const [k, v] of Object.entries(query)) if (!k.startsWith("oauth_") && typeof v === "string") base.searchParams.set(k, v);
    const links: string[] = [];
    if (page > 1) {
      base.searchParams.set("page", String(page - 1));
      links.push(`<${base}>; rel="prev"`);
    }
    if (page < totalPages) {
      base.searchParams.set("page", String(page + 1));
      links.push(`<${base}>; rel="next"`);
    }
    if (links.length) headers.link = links.join(", ");
    return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers };
  }

  function reply(res: ServerResponse, method: string, route: string, path: string, body: unknown, status: number, payload: unknown, headers: Record<string, string> = {}) {
    requests.push({ method, route, path, status, body });
    send(res, status, payload, headers);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;

  return {
    /** http://127.0.0.1:PORT — the store's site URL. */
    get url() {
      return home();
    },
    /** `{ url, consumerKey, consumerSecret }` of the default read/write key: spread it into the connector's options. */
    get connection() {
      return { url: home(), consumerKey: main.consumerKey, consumerSecret: main.consumerSecret };
    },
    /** Another key: `{ permissions: "read" }` for read-only keys, `{ canManage: false }` for a user without manage_woocommerce. */
    addApiKey,
    /** Removes a key (revoked in WooCommerce → Settings → Advanced → REST API). */
    revokeApiKey: (consumerKey: string) => keys.delete(consumerKey),

    createProduct,
    createVariation,
    createOrder,
    addRefund,
    getOrder: (id: number) => orders.get(id),
    /** Sets the status (as the merchant or a payment gateway does); fires order.updated when auto-delivery is on. */
    setOrderStatus(id: number, status: string) {
      const o = mustOrder(id);
      o.status = status;
      touchOrder(o);
      return o;
    },
    deleteOrder(id: number) {
      orders.delete(id);
      if (options.autoDeliverWebhooks) void deliverTopic("order.deleted", id);
    },
    /** Notes on the order, newest first (as WooCommerce lists them). */
    getNotes: (orderId: number) => [...(notes.get(orderId) ?? [])],
    /** Refunds created over the REST API (POST orders/:id/refunds), oldest first, as asked. */
    refundRequests: (orderId?: number) => refundRequests.filter((r) => orderId === undefined || r.orderId === orderId),
    getMeta: (orderId: number, key: string) => mustOrder(orderId).meta_data.find((m) => m.key === key)?.value,
    /** `{ manage_stock, stock_quantity, stock_status }` of a product, or of a variation when given. */
    getStock(productId: number, variationId?: number | null) {
      const t = variationId ? variations.get(variationId) : products.get(productId);
      if (!t) throw new Error(`fake WooCommerce: no product/variation ${productId}/${variationId}`);
      return { manage_stock: t.manage_stock, stock_quantity: t.stock_quantity, stock_status: t.stock_status };
    },
    /** Edit stock by hand on the host (for drift repair tests). */
    setStock(productId: number, variationId: number | null, quantity: number) {
      const t = variationId ? variations.get(variationId) : products.get(productId);
      if (!t) throw new Error(`fake WooCommerce: no product/variation ${productId}/${variationId}`);
      t.manage_stock = true;
      t.stock_quantity = quantity;
      t.stock_status = stockStatus(quantity);
    },
    deleteProduct(id: number) {
      const p = products.get(id);
      for (const v of p?.variations ?? []) variations.delete(v);
      products.delete(id);
    },
    deleteVariation(id: number) {
      const v = variations.get(id);
      if (v) products.get(v.parent_id)!.variations = products.get(v.parent_id)!.variations.filter((x) => x !== id);
      variations.delete(id);
    },
    /** e.g. setSetting("woocommerce_manage_stock", "no"). */
    setSetting: (id: string, value: string) => void (settings[id] = value),

    /** Registered webhooks, secrets included (WooCommerce itself never returns the secret). */
    getWebhooks: () => [...webhooks.values()],
    setWebhookStatus(id: number, status: FakeWebhook["status"]) {
      webhooks.get(id)!.status = status;
    },
    /** A signed delivery of `payload` (default: the order as REST shows it) for the webhook, ready to POST. */
    signDelivery(webhookId: number, topic: string, payloadOrOrderId: unknown, deliveryId?: string) {
      const payload = typeof payloadOrOrderId === "number" && orders.has(payloadOrOrderId) ? orderJson(orders.get(payloadOrOrderId)!, home()) : payloadOrOrderId;
      return signDelivery(webhookId, topic, payload, deliveryId);
    },
    deliver,
    ping,
    deliveries,
    /** Waits for webhook deliveries started by changes (autoDeliverWebhooks). */
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },

    /** The next `count` requests (matching `route` if given) fail: 429/503 with Retry-After, 500 with WordPress's fatal-error body. */
    failNext(count: number, failure: InjectedFailure) {
      failures.push({ ...failure, remaining: count });
    },
    clearFailures: () => void (failures.length = 0),
    /** Every request received: method, route key ("GET /orders/:id"), status, parsed body. */
    requests,
    /** How many requests hit a route key, e.g. count("POST /products/batch"); all statuses. */
    count: (route: string) => requests.filter((r) => r.route === route).length,
    resetRequests: () => void (requests.length = 0),
    phpJsonEncode,

    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "x-robots-tag": "noindex", ...headers });
  res.end(phpJsonEncode(payload));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
