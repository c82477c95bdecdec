import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDecision } from "../../app/.server/db/repositories/risk-decisions-repo.ts";
import { backtestRiskRule } from "../../app/.server/use-cases/backtest-risk-rule.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { addRiskListEntry } from "../../app/.server/use-cases/manage-risk-lists.ts";
import { addRiskRule, listRiskRules, removeRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { riskLookups } from "../../app/.server/risk/risk-lookups.ts";
import { forgetCardWanted } from "../../app/.server/use-cases/risk-gate.ts";
import { dialects } from "../support/dialects.ts";
import { startFakeShopify, type FakeShopify } from "../support/fake-shopify.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

const actor = { type: "cli" as const };
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

/**
 * The card on the fulfilment path (issue 13), against the wire-faithful fake Shopify: an account
 * whose rules read no card never asks Shopify for it (counted with the fake's request log); a
 * per-card velocity rule sees one card buying across two emails and holds the second order; a
 * block-listed card is blocked; a card Shopify refuses to show is unknown (null), never a match.
 */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`the order's card on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let shopify: FakeShopify;
    let accountId: string;
    let storeId: string;
    let poolId: string;
    let productId: string;
    let variantId: string;
    const shop = `card-${dialect}.myshopify.com`;
    const prefix = `CARD${dialect.toUpperCase()}`;

    beforeAll(async () => {
      shopify = await startFakeShopify({ shop, accessToken: "shpat_test_token" });
      s = await makeServices({ dialect, startWorkers: true, env: { ...SHOPIFY_ENV, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin, HOST_REQUEST_TIMEOUT_MS: "3000" } });
      http = await startHttp(s);
      await installShopifyShop(s, { shop });
      await storeOfflineSession(s, shop);
      const store = await s.db.selectFrom("stores").selectAll().where("domain", "=", shop).executeTakeFirstOrThrow();
      storeId = store.id;
      accountId = store.account_id;
      poolId = (await createPool(s, accountId, { name: "Gift card", refundPolicy: "return_if_unseen" }, actor)).id;
      await stockPool(s, accountId, poolId, codes(prefix, 30));
      const product = shopify.createProduct({ title: "Gift card", variants: [{ title: "$25", available: 0 }] });
      productId = product.productId;
      variantId = product.variantIds[0];
      await mapProduct(s, accountId, { storeId, productId, variantId, poolId, unitsPerItem: 1 }, actor);
      // Shopify's risk is not what these tests are about: without the host_risk rule no order waits for it.
      const rules = await listRiskRules(s, accountId);
      for (const r of rules.rules.filter((x) => x.when.includes("host_risk"))) await removeRiskRule(s, accountId, r.id, actor);
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await shopify?.close();
    });

    /** A paid order sent as Shopify sends it, once keyrelay has decided it. */
    const paidOrder = async (email: string, card?: { bin: string; last4: string; company?: string } | null) => {
      const o = shopify.createOrder({ email, card, lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      expect((await shopify.sendWebhook(http.url, "orders/paid", o.orderId)).status).toBe(200);
      const row = await waitFor(async () => {
        const r = await s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", o.orderId).executeTakeFirst();
        return r && (await getDecision(s.db, accountId, r.id)) ? r : undefined;
      }, 15_000, "the decision");
      return { o, row, decision: (await getDecision(s.db, accountId, row.id))! };
    };
    const cardReads = () => shopify.operationCount("KeyrelayOrderCard");
    const velocityCard = async (orderId: string) => (await s.db.selectFrom("risk_velocity").select(["card", "card_brand"]).where("order_id", "=", orderId).executeTakeFirstOrThrow());

    it("rules that read no card: no card read from Shopify for any order (the hot path pays nothing extra)", async () => {
      shopify.resetRequests();
      const a = await paidOrder("plain1@example.com");
      const b = await paidOrder("plain2@example.com");
      expect(a.decision.review_status).toBe("none");
      expect(b.decision.review_status).toBe("none");
      expect(cardReads()).toBe(0);
      expect(await velocityCard(a.row.id)).toEqual({ card: null, card_brand: null });
      expect((a.decision.facts as { card?: unknown }).card).toBeNull();
    });

    it("a chargeback on an order decided without its card: the card is read then, for the offer to block it", async () => {
      const o = shopify.createOrder({ email: "disputed@example.com", card: { bin: "601100", last4: "0004", company: "Discover" }, lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", o.orderId);
      const row = await waitFor(async () => (await s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", o.orderId).executeTakeFirst()) ?? undefined, 15_000, "the order");
      await waitFor(async () => (await getDecision(s.db, accountId, row.id)) ?? undefined, 15_000, "the decision");
      expect(await velocityCard(row.id)).toEqual({ card: null, card_brand: null });
      shopify.resetRequests();
      const dispute = { id: 888001, order_id: Number(o.orderId), type: "chargeback", amount: "25.00", currency: "USD", reason: "fraudulent", status: "needs_response", initiated_at: new Date().toISOString() };
      expect((await shopify.sendWebhook(http.url, "disputes/create", dispute)).status).toBe(200);
      await waitFor(async () => (await s.db.selectFrom("risk_disputes").select("id").where("order_id", "=", row.id).executeTakeFirst()) ?? undefined, 10_000, "the dispute");
      expect(cardReads()).toBe(1);
      const { disputeOfferOf } = await import("../../app/.server/use-cases/handle-dispute.ts");
      expect(await disputeOfferOf(s, accountId, row.id)).toMatchObject({ email: "disputed@example.com", card: "601100…0004" });
    });

    it("orders_per_card_24h: one card buying with two emails → the second order is held; the card is read once per order", async () => {
      await addRiskRule(s, accountId, { when: "orders_per_card_24h > 1", then: "review", name: "One card, many orders" }, actor);
      shopify.resetRequests();
      const card = { bin: "411111", last4: "1111", company: "Visa" };
      const first = await paidOrder("first@example.com", card);
      const second = await paidOrder("second@example.org", card);
      expect(first.decision.review_status).toBe("none");
      expect(second.decision.review_status).toBe("held");
      expect(second.decision.matched.map((m) => m.name)).toEqual(["One card, many orders"]);
      expect(second.decision.facts).toMatchObject({ card: { bin: "411111", last4: "1111", brand: "Visa" }, velocity: { orders_per_card_24h: 2 } });
      expect(await velocityCard(second.row.id)).toEqual({ card: "411111…1111", card_brand: "Visa" });
      expect(cardReads()).toBe(2);
      // Nothing of the held order reached Shopify.
      expect(shopify.deliveredKeys(second.o.orderId)).toBeNull();
      // Another card is its own subject.
      const other = await paidOrder("third@example.net", { bin: "555555", last4: "4444", company: "Mastercard" });
      expect(other.decision.review_status).toBe("none");
      expect(other.decision.facts).toMatchObject({ velocity: { orders_per_card_24h: 1 } });
    });

    it("the back-test reads the stored cards (orders without one do not match)", async () => {
      const r = await backtestRiskRule(s, riskLookups, accountId, { when: "card_bin = 411111", days: 1 });
      expect(r.matched.orders).toBe(2);
      const none = await backtestRiskRule(s, riskLookups, accountId, { when: "card_bin != 411111", days: 1 });
      // The Mastercard order and the disputed Discover one (its card read for the dispute): the
      // orders decided before the card rule have no card, so they do not match.
      expect(none.matched.orders).toBe(2);
    });

    it("a block-listed card is blocked by the default Block list rule whatever the email", async () => {
      await addRiskListEntry(s, accountId, { kind: "card", value: "378282*0005", action: "block" }, actor);
      const o = await paidOrder("new-email@example.com", { bin: "378282", last4: "0005", company: "American Express" });
      expect(o.decision.review_status).toBe("blocked");
      expect(o.decision.facts).toMatchObject({ listHits: [{ kind: "card", action: "block", value: "378282…0005" }] });
    });

    it("Shopify refusing to show the card: unknown (null), the rules decide without it, nothing matches on it", async () => {
      shopify.failNext({ kind: "accessDenied", operation: "order" });
      const o = await paidOrder("refused@example.com", { bin: "378282", last4: "0005", company: "American Express" });
      expect(o.decision.review_status).toBe("none");
      expect((o.decision.facts as { card?: unknown }).card).toBeNull();
      expect(await velocityCard(o.row.id)).toEqual({ card: null, card_brand: null });
    });

    it("no card rule but a listed card, in a process that has not seen the account: the list query finds the listed card, the card is read and the order blocked", async () => {
      for (const r of (await listRiskRules(s, accountId)).rules.filter((x) => x.when.includes("card"))) await removeRiskRule(s, accountId, r.id, actor);
      forgetCardWanted(accountId);
      shopify.resetRequests();
      const o = await paidOrder("listed-again@example.com", { bin: "378282", last4: "0005", company: "American Express" });
      expect(o.decision.review_status).toBe("blocked");
      expect(cardReads()).toBe(1);
      // The account lists a card: the next order's card is read before its transaction.
      const next = await paidOrder("clean@example.com", { bin: "400000", last4: "0077", company: "Visa" });
      expect(next.decision.review_status).toBe("none");
      expect(cardReads()).toBe(2);
      expect(await velocityCard(next.row.id)).toEqual({ card: "400000…0077", card_brand: "Visa" });
    });
  });
}
