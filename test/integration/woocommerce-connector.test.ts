import http from "node:http";
import type { AddressInfo } from "node:net";
import WooCommerceRestApi from "@woocommerce/woocommerce-rest-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostError } from "../../connectors/host-error.ts";
import { checkWooCommerceCredentials, createWooCommerceConnector, deleteWooCommerceWebhook, parseWooCommerceWebhook, registerWooCommerceWebhook, verifyWooCommerceWebhook } from "../../connectors/woocommerce/index.ts";
import { createWooCommerceRestClient } from "../../connectors/woocommerce/rest-client.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a HostError"); }, (e: HostError) => e);

describe("WooCommerce connector against the fake WooCommerce REST API", () => {
  let wc: FakeWooCommerce;
  let connector: ReturnType<typeof createWooCommerceConnector>;

  beforeAll(async () => {
    wc = await startFakeWooCommerce({ currency: "EUR" });
    connector = createWooCommerceConnector({ ...wc.connection, timeoutMs: 5000 });
  });
  afterAll(async () => wc?.close());

  it("fetches an order with a partial refund: refunded quantity per line, minor units, UTC dates", async () => {
    const game = wc.createProduct({ name: "Game key", price: "12.50" });
    const card = wc.createProduct({ name: "Gift card", type: "variable" });
    const eu = wc.createVariation(card.id, { attributes: [{ name: "Region", option: "EU" }], price: "20.00" });
    const o = wc.createOrder({ status: "processing", billing: { first_name: "Zoë", last_name: "Ng", email: "zoe@example.com" }, line_items: [{ product_id: game.id, quantity: 3 }, { product_id: card.id, variation_id: eu.id, quantity: 1 }] });
    wc.addRefund(o.id, { lines: [{ line_item_id: o.line_items[0].id, quantity: 1 }], reason: "one key too many" });

    const order = await connector.fetchOrder(String(o.id));
    expect(order).toMatchObject({ externalId: String(o.id), name: String(o.id), status: "paid", currency: "EUR", totalMinor: 5750, email: "zoe@example.com", customerName: "Zoë Ng" });
    expect(order!.updatedAt).toBe(`${o.date_modified_gmt}.000Z`);
    expect(order!.lines).toEqual([
      { externalLineId: String(o.line_items[0].id), productId: String(game.id), variantId: null, title: "Game key", quantity: 3, refundedQuantity: 1, unitPriceMinor: 1250 },
      { externalLineId: String(o.line_items[1].id), productId: String(card.id), variantId: String(eu.id), title: "Gift card - EU", quantity: 1, refundedQuantity: 0, unitPriceMinor: 2000 },
    ]);
    expect(await connector.fetchOrder("999999")).toBeNull();
    expect(await connector.findOrderByName(`#${o.id}`)).toMatchObject({ externalId: String(o.id) });
    expect(await connector.findOrderByName("#424242")).toBeNull();
  });

  it("lists paid orders modified since a date, page after page, each exactly once or more — never missed", async () => {
    const t0 = Date.parse("2030-01-01T00:00:00Z");
    const p = wc.createProduct({ name: "Bulk key" });
    const paid = new Set<string>();
    for (let i = 0; i < 130; i++) {
      // Several orders share each second, as on a busy store.
      const at = new Date(t0 + Math.floor(i / 3) * 1000).toISOString().slice(0, 19);
      const status = i % 10 === 0 ? "pending" : i % 2 ? "processing" : "completed";
      const o = wc.createOrder({ status, line_items: [{ product_id: p.id, quantity: 1 }], date_created_gmt: at, date_modified_gmt: at });
      if (status !== "pending") paid.add(String(o.id));
    }
    wc.resetRequests();
    const seen = new Set<string>();
    let cursor: string | null = null;
    let calls = 0;
    for (;;) {
      const r = await connector.listPaidOrdersSince(cursor, "2029-12-31T23:59:59.000Z");
      r.orders.forEach((o) => {
        expect(o.status).toBe("paid");
        seen.add(o.externalId);
      });
      cursor = r.cursor;
      calls++;
      if (!r.more) break;
      expect(calls).toBeLessThan(20);
    }
    expect([...seen].sort()).toEqual([...paid].sort());
    expect(calls).toBeGreaterThanOrEqual(3);
    const listed = wc.requests.filter((r) => r.route === "GET /orders");
    expect(listed.length).toBe(calls);
    // The next poll from the saved cursor finds nothing new but the overlap second.
    const again = await connector.listPaidOrdersSince(cursor, "2029-12-31T23:59:59.000Z");
    expect(again.orders.length).toBeLessThanOrEqual(3);
  });

  it("writes a delivery once: one customer note, meta without the codes; a re-run after a crash posts no second note", async () => {
    const p = wc.createProduct({ name: "License" });
    const o = wc.createOrder({ status: "processing", line_items: [{ product_id: p.id, quantity: 2 }] });
    const delivery = {
      externalOrderId: String(o.id),
      reference: "ref-abc123",
      noteText: "Your keys:\nLicense: AAAA-BBBB-CCCC\nLicense: DDDD-EEEE-FFFF",
      lines: [{ externalLineId: String(o.line_items[0].id), title: "License", codes: ["AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF"], pendingUnits: 0 }],
    };
    await connector.writeDelivery(delivery);
    await connector.writeDelivery(delivery);
    const customerNotes = wc.getNotes(o.id).filter((n) => n.customer_note);
    expect(customerNotes).toHaveLength(1);
    expect(customerNotes[0].note).toContain("AAAA-BBBB-CCCC");
    expect(wc.getMeta(o.id, "_keyrelay_delivery_ref")).toBe("ref-abc123");
    const summary = String(wc.getMeta(o.id, "_keyrelay_delivery"));
    expect(JSON.parse(summary)).toEqual({ reference: "ref-abc123", lines: [{ line: String(o.line_items[0].id), delivered: 2, pending: 0 }] });
    expect(summary).not.toContain("AAAA");

    // Crash between the note and the meta: the note is there, the reference is not.
    const o2 = wc.createOrder({ status: "processing", line_items: [{ product_id: p.id, quantity: 1 }] });
    const d2 = { ...delivery, externalOrderId: String(o2.id), reference: "ref-crash" };
    await connector.writeDelivery(d2);
    wc.getOrder(o2.id)!.meta_data = [];
    await connector.writeDelivery(d2);
    expect(wc.getNotes(o2.id).filter((n) => n.customer_note)).toHaveLength(1);
    expect(wc.getMeta(o2.id, "_keyrelay_delivery_ref")).toBe("ref-crash");

    // New content (a backorder filled) is a new note.
    await connector.writeDelivery({ ...d2, reference: "ref-crash-2", noteText: "Your keys:\nLicense: ZZZZ" });
    expect(wc.getNotes(o2.id).filter((n) => n.customer_note)).toHaveLength(2);

    await connector.addOrderNote(String(o.id), "keyrelay: 1 key revoked (refund)");
    expect(wc.getNotes(o.id).find((n) => n.note.includes("revoked"))?.customer_note).toBe(false);
  });

  it("tells good keys, wrong keys, read-only keys, a non-WooCommerce site and an unreachable host apart", async () => {
    wc.setSetting("woocommerce_manage_stock", "no");
    const info = await checkWooCommerceCredentials({ ...wc.connection, timeoutMs: 5000 });
    expect(info).toMatchObject({ name: "Fake Woo Store", currency: "EUR", locale: "en_US", manageStock: false });
    wc.setSetting("woocommerce_manage_stock", "yes");
    expect((await checkWooCommerceCredentials({ ...wc.connection, timeoutMs: 5000 })).manageStock).toBe(true);

    const wrong = await fail(checkWooCommerceCredentials({ ...wc.connection, consumerSecret: "cs_wrong", timeoutMs: 5000 }));
    expect(wrong).toMatchObject({ kind: "unauthorized", status: 401, code: "woocommerce_rest_authentication_error" });
    expect(wrong.message).toContain("Invalid signature");
    expect(wrong.message).not.toContain(wc.connection.consumerKey);

    const unknown = await fail(checkWooCommerceCredentials({ url: wc.url, consumerKey: "ck_nobody", consumerSecret: "cs_nobody", timeoutMs: 5000 }));
    expect(unknown).toMatchObject({ kind: "unauthorized", code: "woocommerce_rest_authentication_error" });

    const readOnly = wc.addApiKey({ permissions: "read" });
    const ro = await fail(checkWooCommerceCredentials({ url: wc.url, ...readOnly, timeoutMs: 5000 }));
    expect(ro).toMatchObject({ kind: "unauthorized", code: "read_only_key" });
    expect(ro.message).toContain("Read/Write");

    const html = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>My blog</title>");
    });
    await new Promise<void>((r) => html.listen(0, "127.0.0.1", r));
    const htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
    try {
      const notWoo = await fail(checkWooCommerceCredentials({ ...wc.connection, url: htmlUrl, timeoutMs: 5000 }));
      expect(notWoo).toMatchObject({ kind: "not_host", code: "not_wordpress" });
      // The connector itself also refuses a page that is not the REST API.
      const c = createWooCommerceConnector({ ...wc.connection, url: htmlUrl, timeoutMs: 5000 });
      expect(await fail(c.fetchOrder("1"))).toMatchObject({ kind: "not_host" });
    } finally {
      await new Promise((r) => html.close(r));
    }

    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    expect(await fail(checkWooCommerceCredentials({ ...wc.connection, url: closedUrl, timeoutMs: 5000 }))).toMatchObject({ kind: "retryable", code: "unreachable" });

    wc.failNext(1, { status: 503, route: "GET /orders/:id", delayMs: 400 });
    const slow = createWooCommerceConnector({ ...wc.connection, timeoutMs: 100 });
    expect(await fail(slow.fetchOrder("1"))).toMatchObject({ kind: "retryable", code: "timeout" });
  });

  it("reports 429 with Retry-After as retryable, then succeeds; 5xx alike; revoked keys as unauthorized", async () => {
    const o = wc.createOrder({ status: "completed", line_items: [] });
    wc.failNext(1, { status: 429, retryAfter: 3, route: "GET /orders/:id" });
    expect(await fail(connector.fetchOrder(String(o.id)))).toMatchObject({ kind: "retryable", status: 429, retryAfterMs: 3000 });
    expect(await connector.fetchOrder(String(o.id))).toMatchObject({ externalId: String(o.id), status: "paid" });
    wc.failNext(1, { status: 500 });
    const fatal = await fail(connector.fetchOrder(String(o.id)));
    expect(fatal).toMatchObject({ kind: "retryable", status: 500, code: "internal_server_error" });
    expect(fatal.message).not.toContain("<p>");

    const temp = wc.addApiKey();
    const c = createWooCommerceConnector({ url: wc.url, ...temp, timeoutMs: 5000 });
    expect(await c.fetchOrder(String(o.id))).not.toBeNull();
    wc.revokeApiKey(temp.consumerKey);
    expect(await fail(c.fetchOrder(String(o.id)))).toMatchObject({ kind: "unauthorized", code: "woocommerce_rest_authentication_error" });
  });

  it("registers the webhook, sees it active, detects it disabled or deleted; its deliveries verify", async () => {
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const deliveryUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/woocommerce/store-1`;
    try {
      const hook = await registerWooCommerceWebhook({ ...wc.connection, timeoutMs: 5000 }, { deliveryUrl, secret: "whsec-1", topic: "order.updated", name: "keyrelay" });
      expect(hook.status).toBe("active");
      const byId = createWooCommerceConnector({ ...wc.connection, timeoutMs: 5000, webhookId: hook.id });
      const byUrl = createWooCommerceConnector({ ...wc.connection, timeoutMs: 5000, deliveryUrl });
      expect(await byId.checkWebhooks()).toEqual({ ok: true, problem: null });
      expect(await byUrl.checkWebhooks()).toEqual({ ok: true, problem: null });

      // A delivery is verifiable with the same secret, byte for byte.
      const o = wc.createOrder({ status: "processing", billing: { first_name: "李" }, line_items: [] });
      const signed = wc.signDelivery(Number(hook.id), "order.updated", o.id);
      expect(signed.body.toString()).toContain("\\u674e");
      expect(signed.body.toString()).toContain("http:\\/\\/127.0.0.1");
      const verified = verifyWooCommerceWebhook({ headers: new Headers(signed.headers), rawBody: signed.body }, "whsec-1", wc.url);
      expect(verified.kind).toBe("verified");
      if (verified.kind === "verified") expect(parseWooCommerceWebhook(verified.event.topic, verified.event.payload)).toMatchObject({ type: "order", externalId: String(o.id), order: { status: "paid" } });

      // WooCommerce disables a webhook after more than 5 failed deliveries in a row.
      for (let i = 0; i < 6; i++) await wc.deliver(Number(hook.id), "order.updated", o.id);
      expect(wc.deliveries.at(-1)?.status).toBe(500);
      expect(await byId.checkWebhooks()).toEqual({ ok: false, problem: "the order.updated webhook is disabled on the store" });
      expect((await byUrl.checkWebhooks()).ok).toBe(false);

      await deleteWooCommerceWebhook({ ...wc.connection, timeoutMs: 5000 }, hook.id);
      await deleteWooCommerceWebhook({ ...wc.connection, timeoutMs: 5000 }, hook.id); // already gone: fine
      expect(await byId.checkWebhooks()).toEqual({ ok: false, problem: "the order.updated webhook was deleted on the store" });
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it("lists products with their variations for the mapping screen", async () => {
    const simple = wc.createProduct({ name: "Zeta antivirus", sku: "ZAV-1" });
    const variable = wc.createProduct({ name: "Zeta streaming" });
    const month = wc.createVariation(variable.id, { attributes: [{ name: "Plan", option: "1 month" }, { name: "Region", option: "EU" }], sku: "ZS-1M" });
    const rows = await connector.listProducts("zeta");
    expect(rows).toEqual([
      { productId: String(simple.id), variantId: null, title: "Zeta antivirus", variantTitle: null, sku: "ZAV-1" },
      { productId: String(variable.id), variantId: null, title: "Zeta streaming", variantTitle: null, sku: null },
      { productId: String(variable.id), variantId: String(month.id), title: "Zeta streaming", variantTitle: "1 month / EU", sku: "ZS-1M" },
    ]);
    expect(await connector.listProducts("ZAV-1")).toEqual([rows[0]]);
  });

  it("sets stock in batches of at most 100, reporting per-item failures and ignored stock fields", async () => {
    const many = Array.from({ length: 150 }, (_, i) => wc.createProduct({ name: `Stock ${i}` }));
    const parent = wc.createProduct({ name: "Stock variable" });
    const v1 = wc.createVariation(parent.id, { attributes: [{ name: "Size", option: "S" }] });
    wc.resetRequests();
    const { failed } = await connector.setInventory([
      ...many.map((p, i) => ({ productId: String(p.id), variantId: null, quantity: i })),
      { productId: String(parent.id), variantId: String(v1.id), quantity: 7 },
      { productId: "99999", variantId: null, quantity: 1 },
    ]);
    expect(wc.count("POST /products/batch")).toBe(2);
    expect(wc.count("POST /products/:id/variations/batch")).toBe(1);
    expect(wc.getStock(many[120].id)).toEqual({ manage_stock: true, stock_quantity: 120, stock_status: "instock" });
    expect(wc.getStock(many[0].id).stock_status).toBe("outofstock");
    expect(wc.getStock(parent.id, v1.id).stock_quantity).toBe(7);
    expect(failed).toEqual([{ productId: "99999", variantId: null, kind: "not_found", reason: "Invalid ID. (woocommerce_rest_product_invalid_id)" }]);

    wc.setSetting("woocommerce_manage_stock", "no");
    const off = await connector.setInventory([{ productId: String(wc.createProduct({ name: "Unmanaged" }).id), variantId: null, quantity: 5 }]);
    wc.setSetting("woocommerce_manage_stock", "yes");
    expect(off.failed[0].reason).toContain("stock management");
    expect(off.failed[0].kind).toBe("not_managed");
  });

  it("reads stock of products and variations, ≤ 100 ids per request; unmanaged reads as null, deleted as not_found", async () => {
    const many = Array.from({ length: 120 }, (_, i) => wc.createProduct({ name: `Read ${i}`, manage_stock: true, stock_quantity: i }));
    const loose = wc.createProduct({ name: "Loose" });
    const parent = wc.createProduct({ name: "Read variable", type: "variable" });
    const v1 = wc.createVariation(parent.id, { attributes: [{ name: "Size", option: "S" }], manage_stock: true, stock_quantity: 4 });
    const gone = wc.createVariation(parent.id, { attributes: [{ name: "Size", option: "M" }] });
    wc.deleteVariation(gone.id);
    wc.resetRequests();
    const r = await connector.getInventory([
      ...many.map((p) => ({ productId: String(p.id), variantId: null })),
      { productId: String(loose.id), variantId: null },
      { productId: String(parent.id), variantId: String(v1.id) },
      { productId: String(parent.id), variantId: String(gone.id) },
    ]);
    expect(wc.count("GET /products")).toBe(2);
    expect(wc.count("GET /products/:id/variations")).toBe(1);
    expect(r.levels).toContainEqual({ productId: String(many[110].id), variantId: null, quantity: 110 });
    expect(r.levels).toContainEqual({ productId: String(loose.id), variantId: null, quantity: null });
    expect(r.levels).toContainEqual({ productId: String(parent.id), variantId: String(v1.id), quantity: 4 });
    expect(r.failed).toEqual([{ productId: String(parent.id), variantId: String(gone.id), kind: "not_found", reason: "variation not found on WooCommerce" }]);
    expect(await connector.listLocations()).toEqual([]);
  });
});

describe("the fake WooCommerce is faithful on the wire", () => {
  let wc: FakeWooCommerce;
  beforeAll(async () => {
    wc = await startFakeWooCommerce();
  });
  afterAll(async () => wc?.close());

  it("accepts requests signed by the official npm client and refuses tampered, replayed or unsigned ones", async () => {
    const p = wc.createProduct({ name: "Npm check" });
    const api = new WooCommerceRestApi({ ...wc.connection, version: "wc/v3" });
    const listed = await api.get("products", { search: "npm check", per_page: 5 });
    expect(listed.status).toBe(200);
    expect(listed.data.map((x: { id: number }) => x.id)).toEqual([p.id]);
    const created = await api.post("orders/0/notes", { note: "x" }).catch((e) => e.response);
    expect(created.status).toBe(404); // authenticated, then the route says the order does not exist

    const badSig = await fetch(`${wc.url}/wp-json/wc/v3/products?oauth_consumer_key=${wc.connection.consumerKey}&oauth_nonce=abc&oauth_signature_method=HMAC-SHA256&oauth_timestamp=${Math.floor(Date.now() / 1000)}&oauth_signature=AAAA`);
    expect(badSig.status).toBe(401);
    expect(await badSig.json()).toEqual({ code: "woocommerce_rest_authentication_error", message: "Invalid signature - provided signature does not match.", data: { status: 401 } });

    // Replaying a signed URL reuses its nonce.
    const seen: string[] = [];
    const recordingFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      seen.push(String(url));
      return fetch(url, init);
    }) as typeof fetch;
    await createWooCommerceRestClient({ ...wc.connection, fetch: recordingFetch })("GET", "products");
    const replay = await fetch(seen[0]);
    expect(replay.status).toBe(401);
    expect((await replay.json()).message).toBe("Invalid nonce - nonce has already been used.");

    const anonymous = await fetch(`${wc.url}/wp-json/wc/v3/orders`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).code).toBe("woocommerce_rest_cannot_view");
  });

  it("checks Basic auth when it plays HTTPS, refuses batches over 100, validates per_page, and paginates with headers", async () => {
    const tls = await startFakeWooCommerce({ ssl: true });
    try {
      const basic = (secret: string) => ({ authorization: `Basic ${Buffer.from(`${tls.connection.consumerKey}:${secret}`).toString("base64")}` });
      expect((await fetch(`${tls.url}/wp-json/wc/v3/products`, { headers: basic(tls.connection.consumerSecret) })).status).toBe(200);
      const wrong = await fetch(`${tls.url}/wp-json/wc/v3/products`, { headers: basic("cs_nope") });
      expect(wrong.status).toBe(401);
      expect((await wrong.json()).message).toBe("Consumer secret is invalid.");
      expect(wrong.headers.get("www-authenticate")).toContain("Basic realm");
    } finally {
      await tls.close();
    }

    const client = createWooCommerceRestClient({ ...wc.connection });
    const tooMany = await client("POST", "products/batch", { body: { update: Array.from({ length: 101 }, (_, i) => ({ id: i + 1, stock_quantity: 1 })) } }).catch((e) => e);
    expect(tooMany).toMatchObject({ kind: "invalid", status: 413, code: "woocommerce_rest_request_entity_too_large" });
    expect(await client("GET", "orders", { query: { per_page: 101 } }).catch((e) => e)).toMatchObject({ kind: "invalid", code: "rest_invalid_param" });

    for (let i = 0; i < 5; i++) wc.createOrder({ status: "processing", line_items: [] });
    const page2 = await client<unknown[]>("GET", "orders", { query: { per_page: 2, page: 2 } });
    expect(page2.body).toHaveLength(2);
    expect(page2.headers.get("x-wp-total")).toBe("5");
    expect(page2.headers.get("x-wp-totalpages")).toBe("3");
    expect(page2.headers.get("link")).toMatch(/page=1.*rel="prev".*page=3.*rel="next"/);
    expect(page2.headers.get("link")).not.toContain("oauth_");
  });
});
