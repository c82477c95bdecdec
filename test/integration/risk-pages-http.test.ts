import { BASE64_HOST, TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { setAdminRole, setShopifyStaffRole } from "../../app/.server/db/repositories/team-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import type { Role } from "../../app/.server/domain/roles.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { addRiskRule, listRiskRules } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { shopifyStaffRole } from "../../app/.server/use-cases/shopify-staff-role.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { sessionToken, SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The risk pages over the built server (standalone admin; the embedded ones share the loader and
 * action, and the role and tenant matrices send every row to both): the queue lists held orders
 * with their facts and rules, a page and a search at a time; approve and deny go through the
 * use-cases (audited, with the reason), one or many; a viewer sees but cannot decide; the rules
 * page adds (a wrong condition names its token and column and saves nothing), back-tests, removes;
 * lists take a paste, all lines or none.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`risk pages over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let accountId: string;
    let store: Store;
    const as = {} as Record<Role, { b: AdminBrowser; csrf: string }>;
    let seq = 100;

    /** A paid order from `email` (held when a rule says so); returns its id. */
    const order = async (email: string) => (await applyHostOrder(s, store, paidOrder({ id: String(++seq), quantity: 1, email }))).orderId;
    const status = async (orderId: string) => (await s.db.selectFrom("risk_decisions").select("review_status").where("order_id", "=", orderId).executeTakeFirstOrThrow()).review_status;
    const post = (role: Role, path: string, fields: Record<string, string>) => as[role].b.post(`${path}.data`, { csrf: as[role].csrf, ...fields });

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      accountId = (await createAdminUser(s, { email: "owner@risk.example", password: PASSWORD, accountName: "Risk shop" })).accountId;
      store = await insertStore(s.db, { accountId, platform: "shopify", domain: "risk-shop.myshopify.com", name: "Risk shop" });
      const pool = await createPool(s, accountId, { name: "Gift card", refundPolicy: "return_if_unseen" }, { type: "cli" });
      await upsertMapping(s.db, { accountId, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Gift card", unitsPerItem: 1, syncStock: false });
      await stockPool(s, accountId, pool.id, codes(`RP${dialect}`, 60));
      await addRiskRule(s, accountId, { when: "email_domain = mule.example", then: "review", name: "Mule domain" }, { type: "cli" });
      for (const [i, role] of (["owner", "manager", "support", "viewer"] as const).entries()) {
        const email = `${role}@risk.example`;
        if (role !== "owner") {
          const { userId } = await createAdminUser(s, { email, password: PASSWORD, accountId });
          await setAdminRole(s.db, accountId, userId, role);
        }
        const b = await new AdminBrowser(http.url, { "x-forwarded-for": `203.0.113.${40 + i}` }).signedIn(email, PASSWORD);
        as[role] = { b, csrf: await b.csrf() };
      }
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    it("the queue shows a held order with its facts, the rule that held it and its condition; the dashboard and the order page point to it", async () => {
      const held = await order("ada@mule.example");
      const delivered = await order("ben@example.com");
      expect(await status(held)).toBe("held");
      const page = await (await as.owner.b.get("/admin/risk/reviews")).text();
      expect(page).toContain("ada@mule.example");
      expect(page).toContain("Mule domain");
      expect(page).toContain("email_domain = mule.example");
      expect(page).toContain("Approve");
      expect(page).not.toContain("ben@example.com");
      const dashboard = await (await as.viewer.b.get("/admin")).text();
      expect(dashboard).toMatch(/1 order waiting for review/);
      expect(dashboard).toContain("/admin/risk/reviews");
      const orderPage = await (await as.viewer.b.get(`/admin/orders/${held}`)).text();
      expect(orderPage).toContain("Held for review since");
      expect(await (await as.viewer.b.get(`/admin/orders/${delivered}`)).text()).not.toContain("Held for review");
      // In Chinese for a reader of Chinese.
      const zh = await (await as.owner.b.get("/admin/risk/reviews", { "accept-language": "zh-CN" })).text();
      expect(zh).toContain("审核队列");
    });

    it("a viewer sees the queue but cannot approve: 403, the order stays held; support approves with a reason, audited, and a delivery is staged", async () => {
      const held = await order("cy@mule.example");
      const viewerPage = await (await as.viewer.b.get("/admin/risk/reviews")).text();
      expect(viewerPage).toContain("cy@mule.example");
      expect(viewerPage).not.toContain(">Approve<");
      const refused = await post("viewer", "/admin/risk/reviews", { intent: "approve", orderId: held, reason: "looks fine" });
      expect(refused.status).toBe(403);
      expect(await status(held)).toBe("held");
      // A reason is required: refused, naming the field, nothing decided.
      const noReason = await post("support", "/admin/risk/reviews", { intent: "approve", orderId: held, reason: " " });
      expect(noReason.status).toBe(400);
      expect(await noReason.text()).toContain("risk_review_reason_required");
      expect(await status(held)).toBe("held");
      const ok = await post("support", "/admin/risk/reviews", { intent: "approve", orderId: held, reason: "known buyer" });
      expect(ok.status).toBe(200);
      expect(await status(held)).toBe("approved");
      expect((await s.db.selectFrom("orders").select("risk_decision").where("id", "=", held).executeTakeFirstOrThrow()).risk_decision).toBe("approved");
      const audit = await s.db.selectFrom("audit_log").select(["details", "actor_type"]).where("subject_id", "=", held).where("action", "=", "risk.order_approved").execute();
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.details!)).toMatchObject({ reason: "known buyer" });
      expect(await s.db.selectFrom("jobs").select("queue").where("dedupe_key", "=", `deliver-order:${held}`).executeTakeFirst()).toBeTruthy();
      // Decided once: a second approve says it is not held.
      const again = await post("owner", "/admin/risk/reviews", { intent: "approve", orderId: held, reason: "twice" });
      expect(again.status).toBe(400);
      expect(await again.text()).toContain("risk_order_not_held");
    });

    it("bulk deny: every selected order denied and its keys back in stock; one id of another account makes it a 404 and changes nothing", async () => {
      const a = await order("dee@mule.example");
      const b = await order("eve@mule.example");
      const other = await createAdminUser(s, { email: "other@risk.example", password: PASSWORD, accountName: "Other" });
      const otherStore = await insertStore(s.db, { accountId: other.accountId, platform: "shopify", domain: "other-risk.myshopify.com", name: "Other" });
      const otherPool = await createPool(s, other.accountId, { name: "Other card", refundPolicy: "revoke" }, { type: "cli" });
      await upsertMapping(s.db, { accountId: other.accountId, storeId: otherStore.id, poolId: otherPool.id, productId: "P1", variantId: null, title: "Other", unitsPerItem: 1, syncStock: false });
      await stockPool(s, other.accountId, otherPool.id, codes(`RO${dialect}`, 1));
      await addRiskRule(s, other.accountId, { when: "email_domain = mule.example", then: "review" }, { type: "cli" });
      const foreign = (await applyHostOrder(s, otherStore, paidOrder({ id: "9901", quantity: 1, email: "fay@mule.example" }))).orderId;
      expect(await status(foreign)).toBe("held");

      const body = new URLSearchParams({ csrf: as.manager.csrf, intent: "deny", reason: "card testing" });
      for (const id of [a, foreign, b]) body.append("orderId", id);
      const mixed = await fetch(`${http.url}/admin/risk/reviews.data`, { method: "POST", redirect: "manual", headers: { ...as.manager.b.headers, "content-type": "application/x-www-form-urlencoded", cookie: [...as.manager.b.jar].map(([k, v]) => `${k}=${v}`).join("; ") }, body });
      expect(mixed.status).toBe(404);
      expect([await status(a), await status(b), await status(foreign)]).toEqual(["held", "held", "held"]);

      const available = async () => Number((await s.db.selectFrom("keys").select((eb) => eb.fn.countAll<number>().as("n")).where("account_id", "=", accountId).where("state", "=", "available").executeTakeFirstOrThrow()).n);
      const before = await available();
      const both = new URLSearchParams({ csrf: as.manager.csrf, intent: "deny", reason: "card testing" });
      both.append("orderId", a);
      both.append("orderId", b);
      const res = await fetch(`${http.url}/admin/risk/reviews.data`, { method: "POST", redirect: "manual", headers: { ...as.manager.b.headers, "content-type": "application/x-www-form-urlencoded", cookie: [...as.manager.b.jar].map(([k, v]) => `${k}=${v}`).join("; ") }, body: both });
      expect(res.status).toBe(200);
      expect([await status(a), await status(b)]).toEqual(["denied", "denied"]);
      expect(await available()).toBe(before + 2);
      expect(await s.db.selectFrom("audit_log").select("id").where("action", "=", "risk.order_denied").where("subject_id", "in", [a, b]).execute()).toHaveLength(2);
      // The other account's order is untouched, and not in this account's queue.
      expect(await status(foreign)).toBe("held");
      expect(await (await as.owner.b.get("/admin/risk/reviews")).text()).not.toContain("fay@mule.example");
    });

    it("deny with “also cancel in the store” and “refund” ticked stages the host cancel as ticked (audited); without them nothing is asked of the store", async () => {
      const cancelJobs = (orderId: string) => s.db.selectFrom("jobs").select("payload").where("queue", "=", "cancel-host-order").where("payload", "like", `%${orderId}%`).execute();
      const plain = await order("plain@mule.example");
      expect((await post("support", "/admin/risk/reviews", { intent: "deny", orderId: plain, reason: "card testing" })).status).toBe(200);
      expect(await cancelJobs(plain)).toEqual([]);

      const refunded = await order("refund@mule.example");
      expect((await post("support", "/admin/risk/reviews", { intent: "deny", orderId: refunded, reason: "stolen card", hostRefund: "on", hostRestock: "on" })).status).toBe(200);
      expect(await status(refunded)).toBe("denied");
      expect((await cancelJobs(refunded)).map((j) => JSON.parse(j.payload))).toEqual([{ orderId: refunded, refund: true, restock: true }]);
      const audit = await s.db.selectFrom("audit_log").select("details").where("action", "=", "risk.order_denied").where("subject_id", "=", refunded).executeTakeFirstOrThrow();
      expect(JSON.parse(audit.details!)).toMatchObject({ reason: "stolen card", hostCancel: { refund: true, restock: true } });
    });

    it("a chargeback's order page shows what was revoked and offers to block the buyer: a viewer sees it but may not answer; a manager blocks the email, audited, and the offer is gone", async () => {
      const { handleDispute } = await import("../../app/.server/use-cases/handle-dispute.ts");
      // Shopify accepted it: delivered at once, and a channel has shown its key to the buyer.
      const orderId = (await applyHostOrder(s, store, { ...paidOrder({ id: String(++seq), quantity: 1, email: "payer@example.com" }), riskRecommendation: "accept" })).orderId;
      expect(await status(orderId)).toBe("none");
      const { markOrderKeysDelivered } = await import("../../app/.server/use-cases/load-delivery-content.ts");
      expect(await markOrderKeysDelivered(s.db, orderId)).toBe(1);
      const externalId = (await s.db.selectFrom("orders").select("external_id").where("id", "=", orderId).executeTakeFirstOrThrow()).external_id;
      expect(await handleDispute(s, store, { externalId, disputeId: "dsp-1", kind: "chargeback", reason: "fraudulent" })).toMatchObject({ orderId, revoked: 1, duplicate: false });
      const page = await (await as.viewer.b.get(`/admin/orders/${orderId}`)).text();
      expect(page).toContain("Chargeback on this order");
      expect(page).toContain("1 revoked, 0 never shown and back in stock");
      expect(page).toContain("Reason given: fraudulent");
      // The viewer may not block anyone: no buttons, and the action is refused.
      expect(page).not.toContain("Block payer@example.com");
      expect((await post("viewer", `/admin/orders/${orderId}`, { intent: "dispute-answer", blockEmail: "on" })).status).toBe(403);
      expect(await (await as.manager.b.get(`/admin/orders/${orderId}`)).text()).toContain("Block payer@example.com");
      const res = await post("manager", `/admin/orders/${orderId}`, { intent: "dispute-answer", blockEmail: "on" });
      expect(res.status).toBe(200);
      const entries = await s.db.selectFrom("risk_list_entries").select(["kind", "value", "action"]).where("account_id", "=", accountId).where("value", "=", "payer@example.com").execute();
      expect(entries).toEqual([{ kind: "email", value: "payer@example.com", action: "block" }]);
      expect(await s.db.selectFrom("audit_log").select("id").where("action", "=", "risk.dispute_offer_answered").where("subject_id", "=", orderId).execute()).toHaveLength(1);
      expect(await (await as.manager.b.get(`/admin/orders/${orderId}`)).text()).not.toContain("Chargeback on this order");
      // Answering again: nothing left to answer.
      expect((await post("manager", `/admin/orders/${orderId}`, { intent: "dispute-answer", blockEmail: "on" })).status).toBe(400);
    });

    it("pages of 25, oldest first; a search by email or order number finds only held orders of this account", async () => {
      // Whatever is still held from the tests above is decided first, so the count is this test's own.
      for (const h of await s.db.selectFrom("risk_decisions").select("order_id").where("account_id", "=", accountId).where("review_status", "=", "held").execute()) {
        expect((await post("owner", "/admin/risk/reviews", { intent: "approve", orderId: h.order_id, reason: "reset" })).status).toBe(200);
      }
      const ids: string[] = [];
      for (let i = 0; i < 27; i++) ids.push(await order(`q${String(i).padStart(2, "0")}@mule.example`));
      const first = await (await as.owner.b.get("/admin/risk/reviews")).text();
      const second = await (await as.owner.b.get("/admin/risk/reviews?page=2")).text();
      expect(first).toContain("q00@mule.example");
      expect(first).toContain("q24@mule.example");
      expect(first).not.toContain("q25@mule.example");
      expect(second).toContain("q25@mule.example");
      expect(second).toContain("q26@mule.example");
      expect(second).not.toContain("q00@mule.example");
      expect(first).toContain("Page 1 of 2");
      const byEmail = await (await post("viewer", "/admin/risk/reviews", { intent: "search", q: "Q07@MULE.example" })).text();
      expect(byEmail).toContain("q07@mule.example");
      expect(byEmail).not.toContain("q08@mule.example");
      const name = (await s.db.selectFrom("orders").select("name").where("id", "=", ids[9]!).executeTakeFirstOrThrow()).name!;
      const byName = await (await post("viewer", "/admin/risk/reviews", { intent: "search", q: name.replace("#", "") })).text();
      expect(byName).toContain("q09@mule.example");
      expect(byName).not.toContain("q10@mule.example");
      // Filtered by the rule that held them: another rule's held order is not listed, and the pages count only the rule's.
      await addRiskRule(s, accountId, { when: "email_domain = filter.example", then: "review", name: "Zed" }, { type: "cli" });
      await order("zed@filter.example");
      const mule = (await listRiskRules(s, accountId)).rules.find((r) => r.name === "Mule domain")!;
      const zed = (await listRiskRules(s, accountId)).rules.find((r) => r.name === "Zed")!;
      const onlyZed = await (await as.viewer.b.get(`/admin/risk/reviews?rule=${zed.id}`)).text();
      expect(onlyZed).toContain("zed@filter.example");
      expect(onlyZed).not.toContain("q00@mule.example");
      expect(onlyZed).not.toContain("Page 1 of");
      const muleOnly2 = await (await as.viewer.b.get(`/admin/risk/reviews?rule=${mule.id}&page=2`)).text();
      expect(muleOnly2).toContain("q26@mule.example");
      expect(muleOnly2).not.toContain("zed@filter.example");
      // Unfiltered, the zed order is the 28th held: on page 2.
      expect(await (await as.viewer.b.get("/admin/risk/reviews?page=2")).text()).toContain("zed@filter.example");
      // An unknown rule id is no filter.
      expect(await (await as.viewer.b.get("/admin/risk/reviews?rule=no-such-rule")).text()).toContain("Page 1 of 2");
    });

    it("rules: a wrong condition is refused naming its token and column, nothing saved; a good one adds a version, back-tests, and is removed", async () => {
      const v0 = (await listRiskRules(s, accountId)).version;
      const bad = await post("manager", "/admin/risk/rules", { intent: "add", when: "keys > 3 and emial = x@y.z", then: "review" });
      expect(bad.status).toBe(400);
      const badText = await bad.text();
      expect(badText).toContain("risk_condition_unknown_attribute");
      expect(badText).toContain("emial");
      expect(badText).toMatch(/"column",\s*14|column\D{1,6}14/);
      expect((await listRiskRules(s, accountId)).version).toBe(v0);

      const tested = await (await post("manager", "/admin/risk/rules", { intent: "test", when: "email_domain = mule.example", days: "30" })).text();
      // Every order of this account from the mule domain so far would have matched.
      const mules = Number((await s.db.selectFrom("orders").select((eb) => eb.fn.countAll<number>().as("n")).where("account_id", "=", accountId).where("email", "like", "%@mule.example").executeTakeFirstOrThrow()).n);
      expect(mules).toBeGreaterThan(5);
      // Its examples are the first five of them (the oldest), and it says how many matched.
      expect(tested).toContain("ada@mule.example");
      expect(tested).not.toContain("ben@example.com");
      expect(tested).toMatch(new RegExp(`"orders",${mules}\\b|\\b${mules}\\b`));
      const none = await (await post("manager", "/admin/risk/rules", { intent: "test", when: "email = nobody@nowhere.example" })).text();
      expect(none).not.toContain("ada@mule.example");

      const added = await post("owner", "/admin/risk/rules", { intent: "add", when: "keys_per_ip_1h > 20", then: "block", name: "IP burst", shadow: "on" });
      expect(added.status).toBe(200);
      const rules = await listRiskRules(s, accountId);
      expect(rules.version).toBe(v0 + 1);
      const rule = rules.rules.find((r) => r.name === "IP burst")!;
      expect(rule).toMatchObject({ when: "keys_per_ip_1h > 20", then: "block", shadow: true });
      const page = await (await as.viewer.b.get("/admin/risk/rules")).text();
      expect(page).toContain("IP burst");
      expect(page).toContain("keys_per_ip_1h &gt; 20");
      expect(page).not.toContain("Add rule");
      expect((await post("viewer", "/admin/risk/rules", { intent: "remove", ruleId: rule.id })).status).toBe(403);
      expect((await post("support", "/admin/risk/rules", { intent: "add", when: "keys > 1", then: "review" })).status).toBe(403);
      expect((await post("owner", "/admin/risk/rules", { intent: "remove", ruleId: rule.id })).status).toBe(200);
      expect((await listRiskRules(s, accountId)).rules.map((r) => r.id)).not.toContain(rule.id);
      expect((await s.db.selectFrom("audit_log").select("action").where("subject_id", "=", rule.id).orderBy("id").execute()).map((r) => r.action)).toEqual(["risk.rule_added", "risk.rule_removed"]);
    });

    it("move: a rule goes up within its action group (a version, audited) and then decides first; the first of its group cannot go up", async () => {
      const a = await addRiskRule(s, accountId, { when: "email_domain = both.example", then: "review", name: "Both A" }, { type: "cli" });
      const b = await addRiskRule(s, accountId, { when: "keys >= 1 and email_domain = both.example", then: "review", name: "Both B" }, { type: "cli" });
      const decidedBy = async (orderId: string) => (await s.db.selectFrom("risk_decisions").select("decided_by_rule_id").where("order_id", "=", orderId).executeTakeFirstOrThrow()).decided_by_rule_id;
      expect(await decidedBy(await order("one@both.example"))).toBe(a.rule.id);
      const v = (await listRiskRules(s, accountId)).version;
      expect((await post("viewer", "/admin/risk/rules", { intent: "move", ruleId: b.rule.id, direction: "up" })).status).toBe(403);
      expect((await post("manager", "/admin/risk/rules", { intent: "move", ruleId: b.rule.id, direction: "up" })).status).toBe(200);
      const after = await listRiskRules(s, accountId);
      expect(after.version).toBe(v + 1);
      const reviews = after.rules.filter((r) => r.then === "review").map((r) => r.id);
      expect(reviews.indexOf(b.rule.id)).toBe(reviews.indexOf(a.rule.id) - 1);
      expect(await decidedBy(await order("two@both.example"))).toBe(b.rule.id);
      expect(await s.db.selectFrom("audit_log").select("id").where("action", "=", "risk.rule_moved").where("subject_id", "=", b.rule.id).execute()).toHaveLength(1);
      // The first allow rule is the first of its group: refused, nothing changes.
      const firstAllow = after.rules.find((r) => r.then === "allow")!;
      const refused = await post("manager", "/admin/risk/rules", { intent: "move", ruleId: firstAllow.id, direction: "up" });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain("risk_rule_cannot_move");
      expect((await listRiskRules(s, accountId)).version).toBe(v + 1);
      // The page lists rules in the order they are checked.
      const page = await (await as.owner.b.get("/admin/risk/rules")).text();
      expect(page.indexOf("Both B")).toBeLessThan(page.indexOf("Both A"));
      expect(page.indexOf("on_allow_list")).toBeLessThan(page.indexOf("Both B"));
      for (const r of [a, b]) expect((await post("owner", "/admin/risk/rules", { intent: "remove", ruleId: r.rule.id })).status).toBe(200);
    });

    it("lists: a paste is all lines or none (a bad line is named), expiry applies to each, entries are removed one by one", async () => {
      const entries = () => s.db.selectFrom("risk_list_entries").select(["id", "value", "expires_at"]).where("account_id", "=", accountId).where("kind", "=", "ip").orderBy("value").execute();
      const bad = await post("manager", "/admin/risk/rules", { intent: "list-add", kind: "ip", action: "block", values: "203.0.113.7\n\n10.0.0.0/33\n", expiresIn: "7d" });
      expect(bad.status).toBe(400);
      const badText = await bad.text();
      expect(badText).toContain("risk_list_bad_cidr");
      expect(badText).toMatch(/"line",\s*3|line\D{1,6}3/);
      expect(await entries()).toEqual([]);
      const ok = await post("manager", "/admin/risk/rules", { intent: "list-add", kind: "ip", action: "block", values: "203.0.113.7\n198.51.100.0/24\n203.0.113.7\n", expiresIn: "7d", note: "card testers" });
      expect(ok.status).toBe(200);
      const listed = await entries();
      expect(listed.map((e) => e.value)).toEqual(["198.51.100.0/24", "203.0.113.7/32"]);
      for (const e of listed) expect(Date.parse(e.expires_at!) - Date.now()).toBeGreaterThan(6 * 86_400_000);
      const page = await (await as.viewer.b.get("/admin/risk/rules")).text();
      expect(page).toContain("198.51.100.0/24");
      expect((await post("manager", "/admin/risk/rules", { intent: "list-remove", entryId: listed[0]!.id })).status).toBe(200);
      expect((await entries()).map((e) => e.value)).toEqual(["203.0.113.7/32"]);
      expect((await post("manager", "/admin/risk/rules", { intent: "list-remove", entryId: listed[0]!.id })).status).toBe(404);
    });
  });
}

/** The same pages embedded in the Shopify admin: a staff member's session token, the same loader and action. */
describe("risk pages in the embedded admin (sqlite, session tokens)", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  let accountId: string;
  let held: string;
  const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36" };
  const get = async (path: string, sub: string) => fetch(`${http.url}${path}?embedded=1&shop=${TEST_SHOP}&host=${BASE64_HOST}&id_token=${await sessionToken(TEST_SHOP_NAME, { sub })}`, { redirect: "manual", headers: browser });
  const post = async (path: string, sub: string, fields: Record<string, string>) =>
    fetch(`${http.url}${path}.data`, { method: "POST", redirect: "manual", headers: { ...browser, authorization: `Bearer ${await sessionToken(TEST_SHOP_NAME, { sub })}`, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });

  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: SHOPIFY_ENV });
    http = await startHttp(s);
    const store = await installShopifyShop(s, { shop: TEST_SHOP });
    await storeOfflineSession(s, TEST_SHOP);
    accountId = store.account_id;
    const pool = await createPool(s, accountId, { name: "Gift card", refundPolicy: "revoke" }, { type: "cli" });
    await upsertMapping(s.db, { accountId, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Gift card", unitsPerItem: 1, syncStock: false });
    await stockPool(s, accountId, pool.id, codes("EMB", 2));
    await addRiskRule(s, accountId, { when: "email_domain = mule.example", then: "review", name: "Mule domain" }, { type: "cli" });
    held = (await applyHostOrder(s, store, paidOrder({ id: "7001", quantity: 1, email: "gus@mule.example" }))).orderId;
    expect(await shopifyStaffRole(s, accountId, TEST_SHOP, "staff-owner")).toBe("owner");
    await shopifyStaffRole(s, accountId, TEST_SHOP, "staff-viewer");
    await setShopifyStaffRole(s.db, accountId, TEST_SHOP, "staff-viewer", "viewer");
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("a viewer sees the held order in /app/risk/reviews and may not approve; the owner approves it; the rules page lists the rule", async () => {
    const page = await get("/app/risk/reviews", "staff-viewer");
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain("gus@mule.example");
    expect(body).toContain("Mule domain");
    expect(body).not.toContain(">Approve<");
    expect((await post("/app/risk/reviews", "staff-viewer", { intent: "approve", orderId: held, reason: "no" })).status).toBe(403);
    expect((await s.db.selectFrom("risk_decisions").select("review_status").where("order_id", "=", held).executeTakeFirstOrThrow()).review_status).toBe("held");
    expect((await post("/app/risk/reviews", "staff-owner", { intent: "approve", orderId: held, reason: "checked" })).status).toBe(200);
    const decision = await s.db.selectFrom("risk_decisions").select(["review_status", "reviewed_by_type", "reviewed_by_id"]).where("order_id", "=", held).executeTakeFirstOrThrow();
    expect(decision).toEqual({ review_status: "approved", reviewed_by_type: "shopify_staff", reviewed_by_id: TEST_SHOP });
    const rules = await (await get("/app/risk/rules", "staff-viewer")).text();
    expect(rules).toContain("email_domain = mule.example");
    expect(rules).not.toContain("Add rule");
    expect(await (await get("/app/risk/rules", "staff-owner")).text()).toContain("Add rule");
  });
});
