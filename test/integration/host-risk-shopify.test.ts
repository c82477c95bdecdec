import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeAccountSettings } from "../../app/.server/db/repositories/account-settings-repo.ts";
import { getDecision } from "../../app/.server/db/repositories/risk-decisions-repo.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { loadDeliveryContent } from "../../app/.server/use-cases/load-delivery-content.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { addRiskRule, removeRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { denyHeldOrder, listHeldOrders } from "../../app/.server/use-cases/review-held-order.ts";
import { withHostRisk } from "../../app/.server/use-cases/read-host-risk.ts";
import { forgetHostRiskWanted } from "../../app/.server/use-cases/risk-gate.ts";
import { dialects } from "../support/dialects.ts";
import { startFakeShopify, type FakeShopify } from "../support/fake-shopify.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

const actor = { type: "cli" as const };
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

/**
 * Shopify's risk on the fulfilment path (issue 13, host side), against the wire-faithful fake
 * Shopify with the default rules (one reads host_risk = CANCEL): an order whose risk is still
 * PENDING waits for it without showing anything, is decided when Shopify finishes (the
 * orders/risk_assessment_changed webhook checks it at once), falls back after the limit, and a
 * denial can cancel and refund the order on Shopify. keyrelay's verdict lands on the order.
 */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`Shopify host risk on ${dialect}`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let shopify: FakeShopify;
    let accountId: string;
    let storeId: string;
    let poolId: string;
    let productId: string;
    let variantId: string;
    const shop = `hr-${dialect}.myshopify.com`;
    const prefix = `HR${dialect.toUpperCase()}`;

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
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await shopify?.close();
    });

    const orderRow = (externalId: string) => s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", externalId).executeTakeFirstOrThrow();
    const keyStates = async () =>
      Object.fromEntries((await s.db.selectFrom("keys").select((eb) => ["state", eb.fn.countAll<number>().as("n")]).where("pool_id", "=", poolId).groupBy("state").execute()).map((r) => [r.state, Number(r.n)]));
    const decided = (orderId: string, status: string) =>
      waitFor(async () => {
        const d = await getDecision(s.db, accountId, orderId);
        return d?.review_status === status ? d : undefined;
      }, 15_000, `decision ${status}`);
    const riskChanged = (externalId: string) => shopify.sendWebhook(http.url, "orders/risk_assessment_changed", { provider_id: null, provider_title: null, risk_level: "LOW", order_id: Number(externalId), created_at: new Date().toISOString(), facts: [] });
    /** A paid order whose Shopify risk is still PENDING, once keyrelay holds it waiting. */
    const pendingOrder = async (email: string, quantity = 1) => {
      const o = shopify.createOrder({ email, riskLevel: "PENDING", lineItems: [{ productId, variantId, quantity, title: "Gift card", price: "25.00" }] });
      expect((await shopify.sendWebhook(http.url, "orders/paid", o.orderId)).status).toBe(200);
      const row = await waitFor(async () => {
        const r = await s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", o.orderId).executeTakeFirst();
        return r?.risk_decision === "hold" ? r : undefined;
      }, 15_000, "the wait");
      await decided(row.id, "waiting");
      return { o, row };
    };

    it("PENDING risk: held waiting (keys claimed, nothing shown, not in the review queue); Shopify finishes → the risk webhook decides it at once and the keys are delivered", async () => {
      const before = await keyStates();
      const { o, row } = await pendingOrder("early@example.com", 2);
      // The first read found Shopify still analysing: the next one is scheduled, nothing shown.
      await waitFor(async () => shopify.requestCount("order") >= 1 || undefined, 10_000, "the first risk read");
      expect((await keyStates()).allocated).toBe((before.allocated ?? 0) + 2);
      expect(shopify.note(o.orderId)).toBeNull();
      expect(shopify.deliveredKeys(o.orderId)).toBeNull();
      expect((await loadDeliveryContent(s, row)).flatMap((l) => l.keys)).toEqual([]);
      expect(await s.db.selectFrom("deliveries").select("channel").where("order_id", "=", row.id).execute()).toEqual([]);
      expect(await listHeldOrders(s, accountId)).toEqual([]);
      expect((await getDecision(s.db, accountId, row.id))!.facts).toMatchObject({ hostRisk: "PENDING" });

      shopify.updateOrder(o.orderId, { riskLevel: "LOW", riskRecommendation: "ACCEPT" });
      const sentAt = Date.now();
      expect((await riskChanged(o.orderId)).status).toBe(200);
      const keys = await waitFor(async () => shopify.deliveredKeys(o.orderId) ?? undefined, 15_000, "the keys after Shopify accepted");
      // Decided by the webhook's check, well before the backoff's next read (5 s, then 10 s).
      expect(Date.now() - sentAt).toBeLessThan(4_000);
      expect(keys.lines[0].codes).toHaveLength(2);
      const d = await getDecision(s.db, accountId, row.id);
      expect(d).toMatchObject({ review_status: "none", action: "allow" });
      expect(d!.facts).toMatchObject({ hostRisk: "ACCEPT", hostRiskUnavailable: null });
      expect((await orderRow(o.orderId)).risk_decision).toBe("none");
      const audit = await s.db.selectFrom("audit_log").select("details").where("subject_id", "=", row.id).where("action", "=", "risk.host_risk_decided").execute();
      expect(audit.map((a) => JSON.parse(a.details!))).toEqual([{ action: "allow", hostRisk: "ACCEPT", unavailable: null, fallback: null, rules: [] }]);
      // keyrelay's verdict on the Shopify order: LOW, no rule matched.
      const written = await waitFor(async () => shopify.getOrder(o.orderId).appAssessments[0], 10_000, "keyrelay's assessment");
      expect(written).toEqual({ riskLevel: "LOW", facts: [{ description: "No keyrelay risk rule matched this order", sentiment: "POSITIVE" }] });
      expect(await waitFor(async () => (await getDecision(s.db, accountId, row.id))?.host_assessment ?? undefined, 10_000, "assessment recorded")).toBe("written");
    });

    it("Shopify finishes with CANCEL → held for review by the default rule, its fact on the review; deny with cancel + refund cancels the order on Shopify and returns the keys", async () => {
      const before = await keyStates();
      const { o, row } = await pendingOrder("stolen@example.com", 3);
      shopify.updateOrder(o.orderId, { riskLevel: "HIGH", riskRecommendation: "CANCEL" });
      await riskChanged(o.orderId);
      const d = await decided(row.id, "held");
      expect(d.matched.map((m) => m.name)).toEqual(["Shopify recommends cancelling"]);
      expect(d.facts).toMatchObject({ hostRisk: "CANCEL" });
      expect((await listHeldOrders(s, accountId)).map((h) => h.orderId)).toContain(row.id);
      expect(shopify.deliveredKeys(o.orderId)).toBeNull();
      await waitFor(async () => shopify.getOrder(o.orderId).appAssessments.find((a) => a.riskLevel === "MEDIUM"), 10_000, "the held verdict");

      const r = await denyHeldOrder(s, accountId, row.id, actor, "card reported stolen", { cancel: true, refund: true, restock: false });
      expect(r).toMatchObject({ status: "denied", released: 3, hostCancel: true });
      const cancelled = await waitFor(async () => shopify.getOrder(o.orderId).cancellations[0], 10_000, "orderCancel");
      expect(cancelled).toEqual({ reason: "FRAUD", refund: true, restock: false, notifyCustomer: false, staffNote: "keyrelay: denied after risk review" });
      expect(shopify.getOrder(o.orderId).financialStatus).toBe("REFUNDED");
      await waitFor(async () => (await s.db.selectFrom("audit_log").select("id").where("subject_id", "=", row.id).where("action", "=", "risk.host_order_cancelled").executeTakeFirst()) ?? undefined, 10_000, "cancel audited");
      expect((await keyStates()).available).toBe(before.available);
      // Shopify's orders/cancelled that follows changes nothing: no key comes back out.
      await shopify.sendWebhook(http.url, "orders/cancelled", o.orderId);
      await new Promise((res) => setTimeout(res, 500));
      expect(shopify.deliveredKeys(o.orderId)).toBeNull();
      expect((await keyStates()).available).toBe(before.available);
      await waitFor(async () => shopify.getOrder(o.orderId).appAssessments.find((a) => a.riskLevel === "HIGH"), 10_000, "the denied verdict");
      expect(shopify.getOrder(o.orderId).cancellations).toHaveLength(1);
    });

    /** orders/risk_assessment_changed for an app's assessment (provider set), not Shopify's own. */
    const appRiskChanged = (externalId: string) => shopify.sendWebhook(http.url, "orders/risk_assessment_changed", { provider_id: 4242, provider_title: "Some fraud app", risk_level: "LOW", order_id: Number(externalId), created_at: new Date().toISOString(), facts: [] });
    const heldOnCancel = async (email: string, quantity = 1) => {
      const p = await pendingOrder(email, quantity);
      shopify.updateOrder(p.o.orderId, { riskLevel: "HIGH", riskRecommendation: "CANCEL" });
      await riskChanged(p.o.orderId);
      await decided(p.row.id, "held");
      return p;
    };

    it("Shopify revises a held order's risk to ACCEPT → decided again: approved by the system and delivered, its verdict says why; an app's revision changes nothing", async () => {
      const { o, row } = await heldOnCancel("revised@example.com", 2);
      shopify.updateOrder(o.orderId, { riskLevel: "LOW", riskRecommendation: "ACCEPT" });
      // Another app's assessment (keyrelay's own verdict among them) is not Shopify's analysis.
      expect((await appRiskChanged(o.orderId)).status).toBe(200);
      await new Promise((res) => setTimeout(res, 1_500));
      expect((await getDecision(s.db, accountId, row.id))!.review_status).toBe("held");
      expect(shopify.deliveredKeys(o.orderId)).toBeNull();

      expect((await riskChanged(o.orderId)).status).toBe(200);
      const keys = await waitFor(async () => shopify.deliveredKeys(o.orderId) ?? undefined, 15_000, "the keys after Shopify revised its risk");
      expect(keys.lines[0].codes).toHaveLength(2);
      const d = (await getDecision(s.db, accountId, row.id))!;
      expect(d).toMatchObject({ review_status: "approved", reviewed_by_type: "system", review_reason: "host risk revised: ACCEPT" });
      expect((await orderRow(o.orderId)).risk_decision).toBe("approved");
      expect(await listHeldOrders(s, accountId)).not.toContainEqual(expect.objectContaining({ orderId: row.id }));
      const audit = await s.db.selectFrom("audit_log").select(["actor_type", "details"]).where("subject_id", "=", row.id).where("action", "=", "risk.order_approved").execute();
      expect(audit).toEqual([{ actor_type: "system", details: JSON.stringify({ reason: "host risk revised: ACCEPT" }) }]);
      const verdict = await waitFor(async () => shopify.getOrder(o.orderId).appAssessments.find((a) => a.riskLevel === "LOW"), 10_000, "the approved verdict");
      expect(verdict.facts[0]).toEqual({ description: "Approved by keyrelay after Shopify revised its risk to ACCEPT", sentiment: "POSITIVE" });
      // A later revision finds nothing held: no second delivery, no second decision.
      await riskChanged(o.orderId);
      await new Promise((res) => setTimeout(res, 1_000));
      expect(await s.db.selectFrom("audit_log").select("id").where("subject_id", "=", row.id).where("action", "=", "risk.order_approved").execute()).toHaveLength(1);
      expect(shopify.requestCount("orderUpdate")).toBeGreaterThan(0);
    });

    it("a held order whose rules say review whatever Shopify says stays held when Shopify revises: its facts show the new risk; a block rule on CANCEL denies it and returns the keys", async () => {
      const review = await addRiskRule(s, accountId, { name: "Watched buyer", when: 'email = "watched@example.com"', then: "review" }, actor);
      const block = await addRiskRule(s, accountId, { name: "Block on Shopify CANCEL", when: 'host_risk = "CANCEL" and email = "watched@example.com"', then: "block" }, actor);
      try {
        const o = shopify.createOrder({ email: "watched@example.com", riskLevel: "PENDING", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
        const before = await keyStates();
        await shopify.sendWebhook(http.url, "orders/paid", o.orderId);
        const row = await waitFor(async () => {
          const r = await s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", o.orderId).executeTakeFirst();
          return r?.risk_decision === "hold" ? r : undefined;
        }, 15_000, "the hold");
        // The block rule reads host risk: the order waits for Shopify; ACCEPT → held by "Watched buyer".
        shopify.updateOrder(o.orderId, { riskLevel: "LOW", riskRecommendation: "ACCEPT" });
        await riskChanged(o.orderId);
        await decided(row.id, "held");
        shopify.updateOrder(o.orderId, { riskLevel: "MEDIUM", riskRecommendation: "INVESTIGATE" });
        await riskChanged(o.orderId);
        await waitFor(async () => (await s.db.selectFrom("audit_log").select("details").where("subject_id", "=", row.id).where("action", "=", "risk.host_risk_reevaluated").executeTakeFirst()) ?? undefined, 15_000, "the re-evaluation");
        const still = (await getDecision(s.db, accountId, row.id))!;
        expect(still.review_status).toBe("held");
        expect(still.facts).toMatchObject({ hostRisk: "INVESTIGATE" });
        expect(JSON.parse((await orderRow(o.orderId)).risk_reasons!)).toEqual(["Watched buyer"]);
        expect(shopify.deliveredKeys(o.orderId)).toBeNull();

        shopify.updateOrder(o.orderId, { riskLevel: "HIGH", riskRecommendation: "CANCEL" });
        await riskChanged(o.orderId);
        const denied = await decided(row.id, "denied");
        expect(denied).toMatchObject({ reviewed_by_type: "system", review_reason: "host risk revised: CANCEL" });
        expect((await orderRow(o.orderId)).risk_decision).toBe("rejected");
        await waitFor(async () => ((await keyStates()).available === before.available ? true : undefined), 10_000, "the key back in stock");
        expect(shopify.deliveredKeys(o.orderId)).toBeNull();
        expect(shopify.getOrder(o.orderId).cancellations).toEqual([]);
      } finally {
        await removeRiskRule(s, accountId, block.rule.id, actor);
        await removeRiskRule(s, accountId, review.rule.id, actor);
      }
    });


    it("a cancellation while the order waits for Shopify's risk ends the wait: keys back to stock, nothing shown, no later decision", async () => {
      const before = await keyStates();
      const { o, row } = await pendingOrder("gone@example.com");
      shopify.updateOrder(o.orderId, { cancelledAt: new Date().toISOString() });
      expect((await shopify.sendWebhook(http.url, "orders/cancelled", o.orderId)).status).toBe(200);
      const d = await decided(row.id, "denied");
      expect(d).toMatchObject({ reviewed_by_type: "system", review_reason: "cancelled on the host" });
      await waitFor(async () => ((await keyStates()).available === before.available ? true : undefined), 10_000, "keys back");
      // Shopify finishing its analysis afterwards changes nothing.
      shopify.updateOrder(o.orderId, { riskLevel: "LOW", riskRecommendation: "ACCEPT" });
      await riskChanged(o.orderId);
      await new Promise((res) => setTimeout(res, 700));
      expect((await getDecision(s.db, accountId, row.id))!.review_status).toBe("denied");
      expect(shopify.deliveredKeys(o.orderId)).toBeNull();
      expect((await orderRow(o.orderId)).risk_decision).toBe("rejected");
    });

    it("Shopify never finishes: past the merchant's limit the fallback decides and says host risk unavailable (review holds, allow delivers)", async () => {
      await writeAccountSettings(s.db, accountId, { "risk.host_wait_minutes": 2, "risk.host_fallback": "review" });
      const { o, row } = await pendingOrder("slow@example.com");
      // Still pending, but the wait began three minutes ago (as if the backoff had run its course).
      await s.db.updateTable("risk_decisions").set({ created_at: new Date(Date.now() - 3 * 60_000).toISOString() }).where("order_id", "=", row.id).execute();
      await riskChanged(o.orderId);
      const d = await decided(row.id, "held");
      expect(d).toMatchObject({ action: "review", decided_by_rule_id: null });
      expect(d.facts).toMatchObject({ hostRisk: "UNAVAILABLE", hostRiskUnavailable: "no answer within 2 minutes" });
      expect(JSON.parse((await orderRow(o.orderId)).risk_reasons!)).toEqual(["host risk unavailable"]);
      expect(shopify.deliveredKeys(o.orderId)).toBeNull();

      await writeAccountSettings(s.db, accountId, { "risk.host_fallback": "allow" });
      const next = await pendingOrder("slow2@example.com");
      await s.db.updateTable("risk_decisions").set({ created_at: new Date(Date.now() - 3 * 60_000).toISOString() }).where("order_id", "=", next.row.id).execute();
      await riskChanged(next.o.orderId);
      await waitFor(async () => shopify.deliveredKeys(next.o.orderId) ?? undefined, 15_000, "delivered without Shopify's risk");
      expect((await getDecision(s.db, accountId, next.row.id))!.facts).toMatchObject({ hostRisk: "UNAVAILABLE", hostRiskUnavailable: "no answer within 2 minutes" });
      const verdict = await waitFor(async () => shopify.getOrder(next.o.orderId).appAssessments[0], 10_000, "verdict");
      expect(verdict.facts.map((f) => f.description)).toContain("Shopify's risk analysis was unavailable when keyrelay decided");
      await writeAccountSettings(s.db, accountId, { "risk.host_wait_minutes": 10, "risk.host_fallback": "review" });
    });

    it("the app may not read the order's risk (access denied): the fallback decides now, never as low risk; a missing scope for the verdict is recorded and delivery goes on", async () => {
      shopify.failNext({ kind: "accessDenied", operation: "order" });
      const o = shopify.createOrder({ email: "scope@example.com", riskLevel: "PENDING", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", o.orderId);
      const row = await waitFor(async () => (await s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", o.orderId).executeTakeFirst()) ?? undefined, 15_000, "order");
      const d = await decided(row.id, "held");
      expect(d.facts).toMatchObject({ hostRisk: "UNAVAILABLE", hostRiskUnavailable: expect.stringMatching(/access denied/i) });

      // The held order's own verdict is written first (so the failure below is the next order's).
      await waitFor(async () => (await getDecision(s.db, accountId, row.id))?.host_assessment ?? undefined, 10_000, "the held order's verdict");
      // Accepted at once by Shopify, but the verdict's write is refused: recorded, keys delivered.
      shopify.failNext({ kind: "accessDenied", operation: "orderRiskAssessmentCreate" });
      const ok = shopify.createOrder({ email: "scope2@example.com", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", ok.orderId);
      await waitFor(async () => shopify.deliveredKeys(ok.orderId) ?? undefined, 15_000, "delivered");
      const okRow = await orderRow(ok.orderId);
      const skipped = await waitFor(async () => {
        const x = await getDecision(s.db, accountId, okRow.id);
        return x?.host_assessment === "skipped" ? x : undefined;
      }, 10_000, "skipped verdict");
      expect(skipped.host_assessment_error).toMatch(/access denied/i);
      expect(shopify.getOrder(ok.orderId).appAssessments).toEqual([]);
      // Delivered at once, so its verdict went with the write-back (no job of its own); the refusal is audited.
      expect(await s.db.selectFrom("jobs").select("id").where("queue", "=", "write-risk-assessment").where("payload", "like", `%${okRow.id}%`).execute()).toEqual([]);
      const audited = await s.db.selectFrom("audit_log").select("details").where("subject_id", "=", okRow.id).where("action", "=", "risk.host_assessment_skipped").executeTakeFirstOrThrow();
      expect(JSON.parse(audited.details!)).toMatchObject({ kind: "unauthorized" });
    });

    it("disputes/create (chargeback) on a delivered order revokes its keys per the pool's policy and takes them off the Shopify order, once per dispute; the offer blocks the buyer's email", async () => {
      const o = shopify.createOrder({ email: "Chargeback@Example.com", lineItems: [{ productId, variantId, quantity: 2, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", o.orderId);
      const keys = await waitFor(async () => shopify.deliveredKeys(o.orderId) ?? undefined, 15_000, "delivered");
      const codesSent = keys.lines[0].codes;
      expect(codesSent).toHaveLength(2);
      const row = await orderRow(o.orderId);
      const orderKeyStates = () => s.db.selectFrom("allocations as a").innerJoin("order_lines as l", "l.id", "a.order_line_id").innerJoin("keys as k", "k.id", "a.key_id").select("k.state").where("l.order_id", "=", row.id).execute();
      await waitFor(async () => ((await orderKeyStates()).every((k) => k.state === "delivered") ? true : undefined), 10_000, "keys marked delivered");
      const before = await keyStates();
      const dispute = { id: 777001, order_id: Number(o.orderId), type: "chargeback", amount: "50.00", currency: "USD", reason: "fraudulent", status: "needs_response", initiated_at: new Date().toISOString() };
      expect((await shopify.sendWebhook(http.url, "disputes/create", dispute)).status).toBe(200);
      const d = await waitFor(async () => (await s.db.selectFrom("risk_disputes").selectAll().where("order_id", "=", row.id).executeTakeFirst()) ?? undefined, 10_000, "the dispute");
      // The pool returns unseen keys only: these were delivered, so both are revoked, never sold again.
      expect(d).toMatchObject({ kind: "chargeback", reason: "fraudulent", revoked: 2, returned: 0, offer_closed_at: null });
      const after = await keyStates();
      expect(after.revoked ?? 0).toBe((before.revoked ?? 0) + 2);
      expect(after.available).toBe(before.available);
      expect((await orderKeyStates()).map((k) => k.state)).toEqual(["revoked", "revoked"]);
      await waitFor(async () => (codesSent.every((c) => !(shopify.note(o.orderId) ?? "").includes(c)) ? true : undefined), 10_000, "keys off the Shopify order");
      // Shopify retries the same dispute: nothing more happens.
      expect((await shopify.sendWebhook(http.url, "disputes/create", dispute)).status).toBe(200);
      await new Promise((res) => setTimeout(res, 500));
      expect(await s.db.selectFrom("risk_disputes").select("id").where("order_id", "=", row.id).execute()).toHaveLength(1);
      expect(await s.db.selectFrom("audit_log").select("id").where("subject_id", "=", row.id).where("action", "=", "risk.dispute_opened").execute()).toHaveLength(1);

      const { answerDisputeOffer, disputeOfferOf } = await import("../../app/.server/use-cases/handle-dispute.ts");
      expect(await disputeOfferOf(s, accountId, row.id)).toMatchObject({ kind: "chargeback", revoked: 2, email: "chargeback@example.com" });
      // Another account sees no offer on this order.
      expect(await disputeOfferOf(s, "another-account", row.id)).toBeNull();
      expect((await answerDisputeOffer(s, accountId, row.id, { email: true, ip: true }, actor)).blocked).toEqual([{ kind: "email", value: "chargeback@example.com" }]);
      expect(await disputeOfferOf(s, accountId, row.id)).toBeNull();
      // The buyer's next order is blocked by the default block-list rule: nothing is delivered.
      const next = shopify.createOrder({ email: "chargeback@example.com", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", next.orderId);
      const blocked = await waitFor(async () => {
        const r = await s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", next.orderId).executeTakeFirst();
        return r?.risk_decision === "rejected" ? r : undefined;
      }, 15_000, "blocked");
      expect((await getDecision(s.db, accountId, blocked.id))!.review_status).toBe("blocked");

      // An inquiry revokes nothing (it may never become a chargeback), but is recorded and offered.
      const q = shopify.createOrder({ email: "inquiry@example.com", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", q.orderId);
      await waitFor(async () => shopify.deliveredKeys(q.orderId) ?? undefined, 15_000, "delivered");
      const qRow = await orderRow(q.orderId);
      await shopify.sendWebhook(http.url, "disputes/create", { id: 777002, order_id: Number(q.orderId), type: "inquiry", reason: "unrecognized" });
      const qd = await waitFor(async () => (await s.db.selectFrom("risk_disputes").selectAll().where("order_id", "=", qRow.id).executeTakeFirst()) ?? undefined, 10_000, "the inquiry");
      expect(qd).toMatchObject({ kind: "inquiry", revoked: 0, returned: 0 });
      expect(shopify.deliveredKeys(q.orderId)!.lines[0].codes).toHaveLength(1);

      // A chargeback on an order still waiting for Shopify's risk: its unseen key goes back, the wait ends.
      const beforeWait = await keyStates();
      const waiting = await pendingOrder("waiting-cb@example.com");
      await shopify.sendWebhook(http.url, "disputes/create", { id: 777003, order_id: Number(waiting.o.orderId), type: "chargeback", reason: "fraudulent" });
      const ended = await decided(waiting.row.id, "denied");
      expect(ended).toMatchObject({ reviewed_by_type: "system", review_reason: "chargeback on the host" });
      expect((await keyStates()).available).toBe(beforeWait.available);
      expect((await orderRow(waiting.o.orderId)).risk_decision).toBe("rejected");
    });

    it("Shopify's analysis already finished when the order arrives: once this process has seen the rules wait, the risk is read before the order's transaction and decides at once (no wait, no check job)", async () => {
      const checks = (orderId: string) => s.db.selectFrom("jobs").select("id").where("queue", "=", "check-host-risk").where("payload", "like", `%${orderId}%`).execute();
      const accepted = (email: string) => shopify.createOrder({ email, riskRecommendation: "ACCEPT", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      // A process that has not decided an order of this account yet: the first order waits and the job reads its risk.
      forgetHostRiskWanted(accountId);
      const first = accepted("first-read@example.com");
      await shopify.sendWebhook(http.url, "orders/paid", first.orderId);
      await waitFor(async () => shopify.deliveredKeys(first.orderId) ?? undefined, 15_000, "the first order delivered");
      expect(await checks((await orderRow(first.orderId)).id)).toHaveLength(1);

      shopify.resetRequests();
      const second = accepted("second-read@example.com");
      await shopify.sendWebhook(http.url, "orders/paid", second.orderId);
      await waitFor(async () => shopify.deliveredKeys(second.orderId) ?? undefined, 15_000, "the second order delivered");
      const row = await orderRow(second.orderId);
      expect(await checks(row.id)).toEqual([]);
      const d = (await getDecision(s.db, accountId, row.id))!;
      expect(d).toMatchObject({ review_status: "none", action: "allow" });
      expect(d.facts).toMatchObject({ hostRisk: "ACCEPT" });
      const ops = shopify.requests.map((r) => r.operationName);
      expect(ops.filter((n) => n === "KeyrelayOrderRisks")).toHaveLength(1);
      expect(ops).not.toContain("KeyrelayOrderRisk");
      // keyrelay's verdict is still written to the order, by the write-back's job (none of its own).
      expect(await waitFor(async () => ((await getDecision(s.db, accountId, row.id))?.host_assessment === "written" ? "written" : undefined), 10_000, "assessment")).toBe("written");
      expect(shopify.getOrder(second.orderId).appAssessments).toEqual([{ riskLevel: "LOW", facts: [{ description: "No keyrelay risk rule matched this order", sentiment: "POSITIVE" }] }]);
      expect(await s.db.selectFrom("jobs").select("id").where("queue", "=", "write-risk-assessment").where("payload", "like", `%${row.id}%`).execute()).toEqual([]);

      // Shopify briefly unavailable for the verdict: the keys are delivered, the verdict goes to a job of its own and lands once.
      shopify.failNext({ kind: "http", status: 503, operation: "orderRiskAssessmentCreate" });
      const third = accepted("third-read@example.com");
      await shopify.sendWebhook(http.url, "orders/paid", third.orderId);
      await waitFor(async () => shopify.deliveredKeys(third.orderId) ?? undefined, 15_000, "the third order delivered");
      const thirdRow = await orderRow(third.orderId);
      await waitFor(async () => ((await getDecision(s.db, accountId, thirdRow.id))?.host_assessment === "written" ? true : undefined), 15_000, "the verdict after the retry");
      expect(shopify.getOrder(third.orderId).appAssessments).toHaveLength(1);
      expect(await s.db.selectFrom("jobs").select("status").where("queue", "=", "write-risk-assessment").where("payload", "like", `%${thirdRow.id}%`).execute()).toEqual([{ status: "done" }]);

      // Read before the transaction and still PENDING: it waits for the job as before.
      const pendingRead = shopify.createOrder({ email: "pending-read@example.com", riskLevel: "PENDING", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", pendingRead.orderId);
      const waiting = await waitFor(async () => {
        const r = await s.db.selectFrom("orders").selectAll().where("store_id", "=", storeId).where("external_id", "=", pendingRead.orderId).executeTakeFirst();
        return r?.risk_decision === "hold" ? r : undefined;
      }, 15_000, "the wait");
      await decided(waiting.id, "waiting");
      expect(shopify.deliveredKeys(pendingRead.orderId)).toBeNull();
      shopify.updateOrder(pendingRead.orderId, { riskLevel: "LOW", riskRecommendation: "ACCEPT" });
      await riskChanged(pendingRead.orderId);
      await waitFor(async () => shopify.deliveredKeys(pendingRead.orderId) ?? undefined, 15_000, "delivered once Shopify accepted");
    });

    it("the read before the transaction: one request for a batch's paid orders, only when the rules wait; a failing read leaves them to wait", async () => {
      const store = await s.db.selectFrom("stores").selectAll().where("id", "=", storeId).executeTakeFirstOrThrow();
      const line = { productId, variantId, quantity: 1, title: "Gift card", price: "25.00" };
      const accept = shopify.createOrder({ riskRecommendation: "ACCEPT", lineItems: [line] });
      const cancel = shopify.createOrder({ riskRecommendation: "CANCEL", riskLevel: "HIGH", lineItems: [line] });
      const pending = shopify.createOrder({ riskLevel: "PENDING", lineItems: [line] });
      const batch = () => [
        { store, order: paidOrder({ id: accept.orderId }) },
        { store, order: paidOrder({ id: cancel.orderId }) },
        { store, order: paidOrder({ id: pending.orderId }) },
        { store, order: paidOrder({ id: "999999" }) },
        { store, order: paidOrder({ id: accept.orderId, status: "cancelled" }) },
        { store, order: { ...paidOrder({ id: cancel.orderId }), riskRecommendation: "investigate" as const } },
      ];
      const recommendations = (items: ReturnType<typeof batch>) => items.map((i) => i.order.riskRecommendation);

      // The previous tests' orders taught this process that the default rules wait for Shopify's risk.
      shopify.resetRequests();
      const items = batch();
      await withHostRisk(s, items);
      expect(shopify.requests.map((r) => r.operationName)).toEqual(["KeyrelayOrderRisks"]);
      // Read: finished values decide, PENDING still waits; a gone order, a cancellation and an order read already are left alone.
      expect(recommendations(items)).toEqual(["accept", "cancel", "pending", null, null, "investigate"]);

      shopify.resetRequests();
      shopify.failNext({ kind: "http", status: 503, operation: "nodes" });
      const failed = batch();
      await withHostRisk(s, failed);
      expect(shopify.requests.map((r) => r.status)).toEqual([503]);
      expect(recommendations(failed)).toEqual([null, null, null, null, null, "investigate"]);

      // A process that has not seen this account's rules wait reads nothing.
      forgetHostRiskWanted(accountId);
      shopify.resetRequests();
      const unread = batch();
      await withHostRisk(s, unread);
      expect(shopify.requests).toEqual([]);
      expect(recommendations(unread)).toEqual([null, null, null, null, null, "investigate"]);
    });

    it("a rule set that does not read host risk never waits (one order, no risk read)", async () => {
      const rules = await s.db.selectFrom("risk_rules").select("id").where("account_id", "=", accountId).where("condition", "like", "%host_risk%").where("version_to", "is", null).execute();
      const { removeRiskRule } = await import("../../app/.server/use-cases/manage-risk-rules.ts");
      for (const r of rules) await removeRiskRule(s, accountId, r.id, actor);
      shopify.resetRequests();
      const o = shopify.createOrder({ email: "plain@example.com", riskLevel: "PENDING", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", o.orderId);
      await waitFor(async () => shopify.deliveredKeys(o.orderId) ?? undefined, 15_000, "delivered at once");
      const row = await orderRow(o.orderId);
      expect((await getDecision(s.db, accountId, row.id))!.review_status).toBe("none");
      expect(shopify.requests.filter((r) => r.operationName === "KeyrelayOrderRisk")).toEqual([]);
      // That order taught this process the rules no longer wait: the next one reads no risk at all.
      shopify.resetRequests();
      const next = shopify.createOrder({ email: "plain2@example.com", riskLevel: "PENDING", lineItems: [{ productId, variantId, quantity: 1, title: "Gift card", price: "25.00" }] });
      await shopify.sendWebhook(http.url, "orders/paid", next.orderId);
      await waitFor(async () => shopify.deliveredKeys(next.orderId) ?? undefined, 15_000, "delivered at once");
      expect(shopify.requests.filter((r) => r.operationName === "KeyrelayOrderRisk" || r.operationName === "KeyrelayOrderRisks")).toEqual([]);
    });
  });
}
