import { BASE64_HOST, TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { setAdminRole } from "../../app/.server/db/repositories/team-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { handleDispute } from "../../app/.server/use-cases/handle-dispute.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { markOrderKeysDelivered } from "../../app/.server/use-cases/load-delivery-content.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { addRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { shopifyStaffRole } from "../../app/.server/use-cases/shopify-staff-role.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { sessionToken, SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);
const visa = { bin: "424242", last4: "4242", brand: "Visa" };

/**
 * The card in the admin (issue 13): the review queue and the order page show it masked (BIN and
 * last four, brand) in the reader's language; the lists take a pasted card (a bad line named,
 * nothing saved); a dispute offers to block the card, and another account's admin gets a 404 and
 * changes nothing. The embedded admin shows the same facts.
 */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`the card in the admin over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let accountId: string;
    let store: Store;
    let manager: { b: AdminBrowser; csrf: string };
    let stranger: { b: AdminBrowser; csrf: string };
    let seq = 300;
    const order = async (email: string, card: typeof visa | null) => (await applyHostOrder(s, store, { ...paidOrder({ id: String(++seq), quantity: 1, email }), riskRecommendation: "accept", card })).orderId;
    const post = (who: { b: AdminBrowser; csrf: string }, path: string, fields: Record<string, string>) => who.b.post(`${path}.data`, { csrf: who.csrf, ...fields });
    const cardEntries = () => s.db.selectFrom("risk_list_entries").select(["account_id", "value", "action"]).where("kind", "=", "card").orderBy("value").execute();

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      accountId = (await createAdminUser(s, { email: "owner@card.example", password: PASSWORD, accountName: "Card shop" })).accountId;
      store = await insertStore(s.db, { accountId, platform: "shopify", domain: "card-shop.myshopify.com", name: "Card shop" });
      const pool = await createPool(s, accountId, { name: "Gift card", refundPolicy: "return_if_unseen" }, { type: "cli" });
      await upsertMapping(s.db, { accountId, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Gift card", unitsPerItem: 1, syncStock: false });
      await stockPool(s, accountId, pool.id, codes(`CP${dialect}`, 20));
      await addRiskRule(s, accountId, { when: "card_bin = 424242 and email_domain = mule.example", then: "review", name: "Test BIN from a mule" }, { type: "cli" });
      const { userId } = await createAdminUser(s, { email: "manager@card.example", password: PASSWORD, accountId });
      await setAdminRole(s.db, accountId, userId, "manager");
      const mb = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.61" }).signedIn("manager@card.example", PASSWORD);
      manager = { b: mb, csrf: await mb.csrf() };
      await createAdminUser(s, { email: "owner@other.example", password: PASSWORD, accountName: "Other shop" });
      const sb = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.62" }).signedIn("owner@other.example", PASSWORD);
      stranger = { b: sb, csrf: await sb.csrf() };
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    it("the queue and the order page show the card masked with its brand, in English and Chinese; an order without a card shows none", async () => {
      const held = await order("ada@mule.example", visa);
      const page = await (await manager.b.get("/admin/risk/reviews")).text();
      expect(page).toContain("ada@mule.example");
      expect(page).toContain("424242…4242 (Visa)");
      expect(page).not.toContain("4242424242424242");
      const zh = await (await manager.b.get("/admin/risk/reviews", { "accept-language": "zh-CN" })).text();
      expect(zh).toContain("银行卡");
      expect(zh).toContain("424242…4242（Visa）");
      const orderPage = await (await manager.b.get(`/admin/orders/${held}`)).text();
      expect(orderPage).toContain("Paid with card 424242…4242 (Visa)");
      // Unknown card: the rule does not match, nothing held, nothing shown.
      const unknown = await order("bo@mule.example", null);
      expect((await s.db.selectFrom("risk_decisions").select("review_status").where("order_id", "=", unknown).executeTakeFirstOrThrow()).review_status).toBe("none");
      // Another account's admin cannot open the order.
      expect((await stranger.b.get(`/admin/orders/${held}`)).status).toBe(404);
    });

    it("lists: pasted cards are checked line by line (a bad one named, nothing saved), then saved as BIN…LAST4", async () => {
      const bad = await post(manager, "/admin/risk/rules", { intent: "list-add", kind: "card", action: "block", values: "411111*1111\n4111111111111111\n" });
      expect(bad.status).toBe(400);
      const text = await bad.text();
      expect(text).toContain("risk_list_bad_card");
      expect(text).toMatch(/"line",\s*2|line\D{1,6}2/);
      expect(await cardEntries()).toEqual([]);
      const ok = await post(manager, "/admin/risk/rules", { intent: "list-add", kind: "card", action: "block", values: "411111*1111\n555555…4444\n" });
      expect(ok.status).toBe(200);
      expect(await cardEntries()).toEqual([
        { account_id: accountId, value: "411111…1111", action: "block" },
        { account_id: accountId, value: "555555…4444", action: "block" },
      ]);
      expect(await (await manager.b.get("/admin/risk/rules")).text()).toContain("Card (BIN…last 4)");
      await s.db.deleteFrom("risk_list_entries").where("kind", "=", "card").execute();
    });

    it("a chargeback offers to block the card; another account's admin gets a 404 and nothing is blocked; the manager blocks the card only", async () => {
      const orderId = await order("payer@example.com", { bin: "510510", last4: "5100", brand: "Mastercard" });
      expect(await markOrderKeysDelivered(s.db, orderId)).toBe(1);
      const externalId = (await s.db.selectFrom("orders").select("external_id").where("id", "=", orderId).executeTakeFirstOrThrow()).external_id;
      await handleDispute(s, store, { externalId, disputeId: "dsp-card", kind: "chargeback", reason: "fraudulent" });
      const page = await (await manager.b.get(`/admin/orders/${orderId}`)).text();
      expect(page).toContain("Block only the card 510510…5100");
      expect(page).toContain("and the card 510510…5100");
      expect((await post(stranger, `/admin/orders/${orderId}`, { intent: "dispute-answer", blockCard: "on" })).status).toBe(404);
      expect(await cardEntries()).toEqual([]);
      const res = await post(manager, `/admin/orders/${orderId}`, { intent: "dispute-answer", blockCard: "on" });
      expect(res.status).toBe(200);
      expect(await cardEntries()).toEqual([{ account_id: accountId, value: "510510…5100", action: "block" }]);
      expect(await s.db.selectFrom("risk_list_entries").select("kind").where("account_id", "=", accountId).where("kind", "in", ["email", "ip"]).execute()).toEqual([]);
      const audit = await s.db.selectFrom("audit_log").select("details").where("action", "=", "risk.dispute_offer_answered").where("subject_id", "=", orderId).executeTakeFirstOrThrow();
      expect(JSON.parse(audit.details!)).toMatchObject({ blocked: [{ kind: "card", value: "510510…5100" }] });
      // The next order with that card, whatever its email, is blocked by the default Block list rule.
      const next = await order("someone-else@example.org", { bin: "510510", last4: "5100", brand: "Mastercard" });
      expect((await s.db.selectFrom("risk_decisions").select("review_status").where("order_id", "=", next).executeTakeFirstOrThrow()).review_status).toBe("blocked");
    });
  });
}

describe("the card in the embedded admin (sqlite, session tokens)", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36" };
  const get = async (path: string, sub: string) => fetch(`${http.url}${path}?embedded=1&shop=${TEST_SHOP}&host=${BASE64_HOST}&id_token=${await sessionToken(TEST_SHOP_NAME, { sub })}`, { redirect: "manual", headers: browser });

  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: SHOPIFY_ENV });
    http = await startHttp(s);
    const store = await installShopifyShop(s, { shop: TEST_SHOP });
    await storeOfflineSession(s, TEST_SHOP);
    const pool = await createPool(s, store.account_id, { name: "Gift card", refundPolicy: "revoke" }, { type: "cli" });
    await upsertMapping(s.db, { accountId: store.account_id, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Gift card", unitsPerItem: 1, syncStock: false });
    await stockPool(s, store.account_id, pool.id, codes("EMBC", 2));
    await addRiskRule(s, store.account_id, { when: "card_brand = visa", then: "review", name: "Visa review" }, { type: "cli" });
    await applyHostOrder(s, store, { ...paidOrder({ id: "7101", quantity: 1, email: "gus@example.com" }), riskRecommendation: "accept", card: visa });
    expect(await shopifyStaffRole(s, store.account_id, TEST_SHOP, "staff-owner")).toBe("owner");
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("the queue at /app/risk/reviews shows the held order's card masked with its brand", async () => {
    const page = await get("/app/risk/reviews", "staff-owner");
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain("gus@example.com");
    expect(body).toContain("424242…4242 (Visa)");
  });
});
