import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { KeyrelayError } from "../../app/.server/domain/errors.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { reconcileStore } from "../../app/.server/use-cases/reconcile-store.ts";
import { dialects } from "../support/dialects.ts";
import { redisAvailable } from "../support/services-available.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { freePort } from "../support/free-port.ts";
import { startHttp } from "../support/http-server.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

const actor = { type: "cli" as const };
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`WooCommerce fulfilment end to end on ${dialect}${dialect === "postgres" ? " + BullMQ" : ""}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let wc: FakeWooCommerce;
    let accountId: string;
    let storeId: string;
    let hookId: number;
    let poolId: string;
    let productId: number;

    beforeAll(async () => {
      wc = await startFakeWooCommerce();
      const port = await freePort();
      // Postgres runs as the scale-out deployment does: jobs through BullMQ on Redis.
      s = await makeServices({ dialect, redis: dialect === "postgres" && redisAvailable, startWorkers: true, env: { APP_URL: `http://127.0.0.1:${port}`, HOST_REQUEST_TIMEOUT_MS: "3000" } });
      http = await startHttp(s, port);
      accountId = (await createAccount(s.db, { name: "Woo merchant", alertEmail: "alerts@example.com" })).id;
      poolId = (await createPool(s, accountId, { name: "Game card", refundPolicy: "revoke" }, actor)).id;
      await stockPool(s, accountId, poolId, codes(`WC${dialect}`, 10));
      productId = wc.createProduct({ name: "Game card $10", price: "10.00" }).id;
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await wc?.close();
    });

    it("refuses bad credentials clearly and writes nothing", async () => {
      const attempt = (over: Partial<Parameters<typeof connectWooCommerceStore>[2]>) =>
        connectWooCommerceStore(s, accountId, { ...wc.connection, ...over }, actor).then(
          () => "connected",
          (e: KeyrelayError) => e.code,
        );
      expect(await attempt({ consumerSecret: `cs_${"0".repeat(40)}` })).toBe("woo_bad_credentials");
      expect(await attempt({ ...wc.addApiKey({ permissions: "read" }) })).toBe("woo_read_only_key");
      expect(await attempt({ url: "http://127.0.0.1:1" })).toBe("woo_unreachable");
      expect(await attempt({ consumerKey: "nope" })).toBe("woo_consumer_key_format");
      expect(await s.db.selectFrom("stores").select("id").execute()).toEqual([]);
      expect(wc.getWebhooks()).toEqual([]);
    });

    it("connects a store: credentials sealed, webhook registered at our URL", async () => {
      const connected = await connectWooCommerceStore(s, accountId, { ...wc.connection }, actor);
      storeId = connected.id;
      expect(connected).toMatchObject({ created: true, manageStock: true, webhookUrl: `${s.config.appUrl}/webhooks/woocommerce/${storeId}` });
      const [hook] = wc.getWebhooks();
      hookId = hook.id;
      expect(hook).toMatchObject({ topic: "order.updated", delivery_url: connected.webhookUrl, status: "active" });
      const row = await s.db.selectFrom("stores").selectAll().where("id", "=", storeId).executeTakeFirstOrThrow();
      expect(Buffer.from(row.credentials_ciphertext!).toString("latin1")).not.toContain(wc.connection.consumerSecret);
      await mapProduct(s, accountId, { storeId, productId: String(productId), poolId, unitsPerItem: 1 }, actor);
    });

    it("a paid order's webhook puts its keys in one customer note, however often it is delivered", async () => {
      const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 2 }], status: "processing", billing: { email: "buyer@example.com" } });
      const sends = await Promise.all(Array.from({ length: 20 }, () => wc.deliver(hookId, "order.updated", order.id)));
      expect(sends.every((d) => d.status === 200)).toBe(true);
      const notes = await waitFor(async () => {
        const n = wc.getNotes(order.id).filter((x) => x.customer_note);
        return n.length ? n : undefined;
      }, 15_000, "the customer note");
      // Let any straggling job finish, then count again.
      await new Promise((r) => setTimeout(r, 500));
      const customerNotes = wc.getNotes(order.id).filter((x) => x.customer_note);
      expect(customerNotes).toHaveLength(1);
      const keysInNote = notes[0].note.match(new RegExp(`WC${dialect}-\\d{4}`, "g"));
      expect(keysInNote).toHaveLength(2);
      expect(wc.getMeta(order.id, "_keyrelay_delivery_ref")).toBeTruthy();
      const delivery = await s.db.selectFrom("deliveries").selectAll().where("channel", "=", "note").executeTakeFirstOrThrow();
      expect(delivery.status).toBe("sent");
      // WooCommerce mails its customer note: keyrelay's own email is off for WooCommerce by default.
      expect(await s.db.selectFrom("deliveries").select("id").where("channel", "=", "email").execute()).toEqual([]);
      const units = await s.db.selectFrom("allocations").select(["status", "key_id"]).execute();
      expect(units.map((u) => u.status)).toEqual(["allocated", "allocated"]);
      const keyStates = await s.db.selectFrom("keys").select("state").where("id", "in", units.map((u) => u.key_id!)).execute();
      expect(keyStates.map((k) => k.state)).toEqual(["delivered", "delivered"]);
    });

    it("a refund of 1 of 3 units revokes exactly one key and tells the buyer", async () => {
      const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 3 }], status: "processing", billing: { email: "refund@example.com" } });
      await wc.deliver(hookId, "order.updated", order.id);
      await waitFor(async () => wc.getNotes(order.id).some((x) => x.customer_note), 15_000, "first note");
      const lineId = wc.getOrder(order.id)!.line_items[0].id;
      wc.addRefund(order.id, { lines: [{ line_item_id: lineId, quantity: 1 }] });
      await wc.deliver(hookId, "order.updated", order.id);
      await waitFor(async () => wc.getNotes(order.id).filter((x) => x.customer_note).length === 2, 15_000, "refund note");
      const row = await s.db.selectFrom("orders").select("id").where("external_id", "=", String(order.id)).executeTakeFirstOrThrow();
      const units = await s.db
        .selectFrom("allocations as a")
        .innerJoin("order_lines as l", "l.id", "a.order_line_id")
        .select(["a.status"])
        .where("l.order_id", "=", row.id)
        .orderBy("a.unit_index")
        .execute();
      expect(units.map((u) => u.status)).toEqual(["allocated", "allocated", "revoked"]);
      const latest = wc.getNotes(order.id).filter((x) => x.customer_note)[0].note;
      expect(latest).toContain("1 key was withdrawn after a refund or cancellation.");
    });

    it("reconciliation delivers a paid order whose webhook never came, and flags a disabled webhook", async () => {
      const missed = wc.createOrder({ line_items: [{ product_id: productId, quantity: 1 }], status: "processing", billing: { email: "missed@example.com" } });
      const unpaid = wc.createOrder({ line_items: [{ product_id: productId, quantity: 1 }], status: "pending", billing: { email: "unpaid@example.com" } });
      wc.setWebhookStatus(hookId, "disabled");
      const r = await reconcileStore(s, { storeId });
      expect(r.changed).toBe(1);
      await waitFor(async () => wc.getNotes(missed.id).some((x) => x.customer_note), 15_000, "note for the missed order");
      expect(wc.getNotes(unpaid.id)).toEqual([]);
      const store = await s.db.selectFrom("stores").selectAll().where("id", "=", storeId).executeTakeFirstOrThrow();
      expect(store.attention).toBe("webhooks_missing");
      expect(store.reconciled_at).toBeTruthy();
      expect(store.reconcile_cursor).toBeNull();
      // A second pass finds nothing new to do.
      wc.setWebhookStatus(hookId, "active");
      expect((await reconcileStore(s, { storeId })).changed).toBe(0);
      const after = await s.db.selectFrom("stores").select("attention").where("id", "=", storeId).executeTakeFirstOrThrow();
      expect(after.attention).toBeNull();
    });

    it("revoked REST keys flag the store and stop retrying", async () => {
      const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 1 }], status: "processing", billing: { email: "late@example.com" } });
      wc.revokeApiKey(wc.connection.consumerKey);
      await wc.deliver(hookId, "order.updated", order.id);
      const store = await waitFor(async () => {
        const st = await s.db.selectFrom("stores").selectAll().where("id", "=", storeId).executeTakeFirstOrThrow();
        return st.attention ? st : undefined;
      }, 15_000, "store flagged");
      expect(store.attention).toBe("credentials_rejected");
      const job = await waitFor(() => s.db.selectFrom("jobs").selectAll().where("queue", "=", "deliver-order").where("status", "=", "failed").executeTakeFirst(), 15_000, "parked job");
      expect(job.error_kind).toBe("permanent");
      // The keys stay with the order: a failing host never releases an allocation.
      const allocated = await s.db.selectFrom("allocations").select("status").where("status", "=", "allocated").execute();
      expect(allocated.length).toBeGreaterThanOrEqual(5);
    });

    it("never puts a key's plaintext in logs, job rows, stored webhooks, delivery errors or the audit log", async () => {
      const code = new RegExp(`WC${dialect}-\\d{4}`);
      expect(s.logLines.filter((l) => code.test(l))).toEqual([]);
      const rows = [
        ...(await s.db.selectFrom("jobs").select(["payload", "last_error"]).execute()).map((r) => `${r.payload} ${r.last_error ?? ""}`),
        ...(await s.db.selectFrom("webhook_events").select(["payload", "error"]).execute()).map((r) => `${r.payload} ${r.error ?? ""}`),
        ...(await s.db.selectFrom("deliveries").select(["last_error", "reference"]).execute()).map((r) => `${r.last_error ?? ""} ${r.reference ?? ""}`),
        ...(await s.db.selectFrom("audit_log").select("details").execute()).map((r) => r.details ?? ""),
      ];
      expect(rows.length).toBeGreaterThan(10);
      expect(rows.filter((r) => code.test(r))).toEqual([]);
    });
  });
}
