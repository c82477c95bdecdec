import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { listRules } from "../../app/.server/db/repositories/risk-rules-repo.ts";
import { recordVelocity } from "../../app/.server/db/repositories/risk-velocity-repo.ts";
import { InvalidInputError } from "../../app/.server/domain/errors.ts";
import { riskLookups } from "../../app/.server/risk/risk-lookups.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { backtestRiskRule } from "../../app/.server/use-cases/backtest-risk-rule.ts";
import { evaluateOrderRisk, type RiskOrder } from "../../app/.server/use-cases/evaluate-order-risk.ts";
import { addRiskListEntry, listRiskListEntries } from "../../app/.server/use-cases/manage-risk-lists.ts";
import { addRiskRule, listRiskRules, loadRuleSet, removeRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const cli = { type: "cli" as const };

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`risk rules, lists and velocity on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      s = await makeServices({ dialect });
    });
    afterAll(async () => {
      await s?.cleanup();
    });
    const account = async () => (await createAccount(s.db, { name: "M", alertEmail: "m@example.com" })).id;
    const refused = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        if (e instanceof InvalidInputError) return { code: e.code, field: e.field, params: e.params };
        throw e;
      }
      throw new Error("accepted");
    };

    it("an account starts at version 1 with the default rules; each change moves the version by one and keeps old versions readable", async () => {
      const a = await account();
      const start = await listRiskRules(s, a);
      expect(start.version).toBe(1);
      expect(start.rules.map((r) => [r.then, r.when])).toEqual([
        ["allow", "on_allow_list"],
        ["block", "on_block_list"],
        ["review", "host_risk = CANCEL"],
        ["review", "keys_per_email_1h > 10 and platform != reseller"],
        ["review", "keys_per_ip_1h > 10 and platform != reseller"],
        ["review", "disposable_email and first_order and total > 50.00 USD"],
      ]);
      const added = await addRiskRule(s, a, { when: "keys_per_ip_1h > 5", then: "block", name: "Bursts", shadow: true }, cli);
      expect(added.version).toBe(2);
      expect(added.rule).toMatchObject({ name: "Bursts", then: "block", shadow: true, position: 7 });
      const removed = await removeRiskRule(s, a, start.rules[2]!.id, cli);
      expect(removed.version).toBe(3);
      const now = await listRiskRules(s, a);
      expect(now.version).toBe(3);
      expect(now.rules.map((r) => r.id)).not.toContain(start.rules[2]!.id);
      expect(now.rules.map((r) => r.name)).toContain("Bursts");
      // What version 1 and 2 were is still known (a decision records its version).
      expect((await listRules(s.db, a, 1)).map((r) => r.id)).toEqual(start.rules.map((r) => r.id));
      expect((await listRules(s.db, a, 2)).length).toBe(7);
      const audit = await s.db.selectFrom("audit_log").select("action").where("account_id", "=", a).where("action", "like", "risk.%").orderBy("id").execute();
      expect(audit.map((r) => r.action)).toEqual(["risk.rule_added", "risk.rule_removed"]);
    });

    it("a wrong condition is refused naming its token, and nothing is saved", async () => {
      const a = await account();
      await listRiskRules(s, a);
      expect(await refused(addRiskRule(s, a, { when: "ip in 10.0.0.0/33", then: "block" }, cli))).toMatchObject({ code: "risk_condition_bad_cidr", field: "when", params: { token: "10.0.0.0/33", column: 7 } });
      expect(await refused(addRiskRule(s, a, { when: "keys_per_ip_-1h > 5", then: "review" }, cli))).toMatchObject({ code: "risk_condition_negative_window" });
      expect(await refused(addRiskRule(s, a, { when: "keys > 5", then: "hold" }, cli))).toMatchObject({ code: "risk_rule_bad_action", field: "then" });
      expect(await refused(removeRiskRule(s, a, "rule_nope", cli))).toMatchObject({ code: "risk_rule_not_found" });
      const after = await listRiskRules(s, a);
      expect(after.version).toBe(1);
      expect(after.rules.length).toBe(6);
    });

    it("another account's rule cannot be removed from this one, and its rules and lists are not seen", async () => {
      const a = await account();
      const b = await account();
      const ruleA = (await addRiskRule(s, a, { when: "keys > 3", then: "review" }, cli)).rule;
      await addRiskListEntry(s, a, { kind: "email", value: "bad@x.com", action: "block" }, cli);
      expect(await refused(removeRiskRule(s, b, ruleA.id, cli))).toMatchObject({ code: "risk_rule_not_found" });
      expect((await listRiskRules(s, b)).rules.map((r) => r.id)).not.toContain(ruleA.id);
      expect(await listRiskListEntries(s, b)).toEqual([]);
      expect((await listRiskRules(s, a)).rules.map((r) => r.id)).toContain(ruleA.id);
    });

    it("list entries: normalised, one per value (a second add updates it), bad values refused, expiry honoured", async () => {
      const a = await account();
      const e = await addRiskListEntry(s, a, { kind: "ip", value: "203.0.113.0/24", action: "block", expiresIn: "7d" }, cli);
      expect(e.value).toBe("203.0.113.0/24");
      expect(Date.parse(e.expiresAt!) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
      await addRiskListEntry(s, a, { kind: "email", value: "Bad@X.com", action: "block" }, cli);
      const again = await addRiskListEntry(s, a, { kind: "email", value: "bad@x.com", action: "allow" }, cli);
      expect(again.created).toBe(false);
      expect(await refused(addRiskListEntry(s, a, { kind: "ip", value: "10.0.0.0/33", action: "block" }, cli))).toMatchObject({ code: "risk_list_bad_cidr", field: "value" });
      expect(await refused(addRiskListEntry(s, a, { kind: "country", value: "XX", action: "block" }, cli))).toMatchObject({ code: "risk_list_bad_country" });
      expect(await refused(addRiskListEntry(s, a, { kind: "ip", value: "1.2.3.4", action: "block", expiresIn: "-1d" }, cli))).toMatchObject({ code: "risk_list_bad_expiry" });
      const entries = await listRiskListEntries(s, a);
      expect(entries.map((x) => [x.kind, x.value, x.action])).toEqual([
        ["email", "bad@x.com", "allow"],
        ["ip", "203.0.113.0/24", "block"],
      ]);

      // An order from inside the range is on the block list; once the entry has expired it is not.
      const ruleSet = await loadRuleSet(s.db, a, new Date().toISOString());
      const order = riskOrder(a, { ip: "203.0.113.50", email: "li@example.com" });
      const blocked = await evaluateOrderRisk(s.db, riskLookups, ruleSet, order);
      expect(blocked.verdict.action).toBe("block");
      expect(blocked.verdict.decidedBy?.name).toBe("Block list");
      const later = await evaluateOrderRisk(s.db, riskLookups, ruleSet, { ...order, at: new Date(Date.now() + 8 * 86_400_000) });
      expect(later.verdict.action).toBe("allow");
      const trusted = await evaluateOrderRisk(s.db, riskLookups, ruleSet, { ...order, email: "BAD@x.com" });
      expect(trusted.verdict).toMatchObject({ action: "allow", decidedBy: { name: "Allow list" } });
      expect(trusted.verdict.matched.map((m) => m.name)).toEqual(["Allow list", "Block list"]);
    });

    it("velocity counts the window (until − N, until]: a row exactly N ago is out, one a millisecond later is in; another account's rows never count", async () => {
      const a = await account();
      const b = await account();
      await addRiskRule(s, a, { when: "keys_per_ip_1h > 5", then: "review", name: "ip burst" }, cli);
      const ruleSet = await loadRuleSet(s.db, a, new Date().toISOString());
      const at = new Date("2026-12-07T06:00:00.000Z");
      const shop = await makeShop(s);
      // risk_velocity rows refer to real orders (whose shop does not matter here).
      const orderIds = await realOrders(s, shop.store, 3);
      const row = (orderId: string, accountId: string, when: Date, keys: number) =>
        recordVelocity(s.db, { orderId, accountId, storeId: null, email: null, ip: "198.51.100.9", customerId: null, ipCountry: null, billingCountry: null, keys, moneyMinor: 100, currency: "USD", at: when.toISOString() });
      await row(orderIds[0]!, a, new Date(at.getTime() - 3_600_000), 10); // exactly 1h before: outside
      await row(orderIds[1]!, a, new Date(at.getTime() - 3_600_000 + 1), 3); // just inside
      await row(orderIds[2]!, b, new Date(at.getTime() - 60_000), 50); // other account
      const order = riskOrder(a, { ip: "198.51.100.9", keys: 2, at });
      const two = await evaluateOrderRisk(s.db, riskLookups, ruleSet, order);
      expect(two.facts.velocity.keys_per_ip_1h).toBe(5);
      expect(two.verdict.action).toBe("allow");
      const three = await evaluateOrderRisk(s.db, riskLookups, ruleSet, { ...order, keys: 3 });
      expect(three.facts.velocity.keys_per_ip_1h).toBe(6);
      expect(three.verdict).toMatchObject({ action: "review", decidedBy: { name: "ip burst" } });
      // A millisecond later the 3-key row falls out too.
      const moved = await evaluateOrderRisk(s.db, riskLookups, ruleSet, { ...order, keys: 3, at: new Date(at.getTime() + 1) });
      expect(moved.facts.velocity.keys_per_ip_1h).toBe(3);
      // Account b, same IP: only its own row.
      const bSet = await loadRuleSet(s.db, b, new Date().toISOString());
      const forB = await evaluateOrderRisk(s.db, riskLookups, { ...bSet, rules: [...bSet.rules, ...ruleSet.rules.filter((r) => r.name === "ip burst")] }, riskOrder(b, { ip: "198.51.100.9", keys: 1, at }));
      expect(forB.facts.velocity.keys_per_ip_1h).toBe(51);
    });

    it("several figures of two subjects, each over its own window and measure, from one query", async () => {
      const a = await account();
      for (const when of ["keys_per_ip_1h > 500", "orders_per_ip_2h > 500", "money_per_ip_1d > 9999.00 USD", "orders_per_email_1h > 500"]) await addRiskRule(s, a, { when, then: "review" }, cli);
      const ruleSet = await loadRuleSet(s.db, a, new Date().toISOString());
      const at = new Date("2026-12-07T06:00:00.000Z");
      const shop = await makeShop(s);
      const orderIds = await realOrders(s, shop.store, 4);
      const row = (orderId: string, minutesAgo: number, keys: number, money: number, currency: string) =>
        recordVelocity(s.db, { orderId, accountId: a, storeId: null, email: "v@example.com", ip: "203.0.113.7", customerId: null, ipCountry: null, billingCountry: null, keys, moneyMinor: money, currency, at: new Date(at.getTime() - minutesAgo * 60_000).toISOString() });
      await row(orderIds[0]!, 30, 2, 1000, "USD"); // in every window
      await row(orderIds[1]!, 90, 4, 2000, "USD"); // 2h and 1d, not 1h
      await row(orderIds[2]!, 600, 8, 4000, "EUR"); // 1d only, another currency
      await row(orderIds[3]!, 3000, 16, 8000, "USD"); // in none
      let statements = 0;
      // Counted per result: a compound statement's parts are transformed one by one, but it runs once.
      const counted = s.db.withPlugin({ transformQuery: (q) => q.node, transformResult: async (q) => (statements++, q.result) });
      const order = riskOrder(a, { ip: "203.0.113.7", email: "v@example.com", keys: 1, at, totalMinor: 500, currency: "USD" });
      const r = await evaluateOrderRisk(counted, riskLookups, ruleSet, order);
      expect(r.facts.velocity).toMatchObject({ keys_per_ip_1h: 2 + 1, orders_per_ip_2h: 2 + 1, "money_per_ip_1d:USD": 1000 + 2000 + 500, orders_per_email_1h: 1 + 1 });
      // The IP's three figures and the email's one (with the default rules' own): one statement more than no velocity at all.
      const withVelocity = statements;
      statements = 0;
      await evaluateOrderRisk(counted, riskLookups, { ...ruleSet, rules: ruleSet.rules.filter((x) => !JSON.stringify(x.when).includes("_per_")) }, order);
      expect(withVelocity - statements).toBe(1);
    });

    it("back-test: orders, keys and money a condition would have matched over stored orders, with examples; nothing written", async () => {
      const shop = await makeShop(s);
      await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: 10 }, (_, i) => `BT-${i}`));
      await applyHostOrder(s, shop.store, paidOrder({ email: "a@mailinator.com", quantity: 2 }));
      await applyHostOrder(s, shop.store, paidOrder({ email: "b@mailinator.com", quantity: 3 }));
      await applyHostOrder(s, shop.store, paidOrder({ email: "c@example.com", quantity: 1 }));
      const before = await s.db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      const r = await backtestRiskRule(s, riskLookups, shop.accountId, { when: "email_domain in disposable and total > 10.00 USD" });
      expect(r).toMatchObject({ days: 30, orders: 3, matched: { orders: 2, keys: 5, money: [{ currency: "USD", minor: 4000 }] } });
      expect(r.examples.map((e) => e.email)).toEqual(["a@mailinator.com", "b@mailinator.com"]);
      expect((await backtestRiskRule(s, riskLookups, shop.accountId, { when: "keys >= 3" })).matched).toMatchObject({ orders: 1, keys: 3 });
      const other = await account();
      expect((await backtestRiskRule(s, riskLookups, other, { when: "keys >= 0" })).orders).toBe(0);
      expect(await refused(backtestRiskRule(s, riskLookups, shop.accountId, { when: "keys >= 0", days: 0 }))).toMatchObject({ code: "risk_backtest_bad_days" });
      expect(await refused(backtestRiskRule(s, riskLookups, shop.accountId, { when: "emial = x" }))).toMatchObject({ code: "risk_condition_unknown_attribute" });
      const after = await s.db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });
  });
}

function riskOrder(accountId: string, over: Partial<RiskOrder> = {}): RiskOrder {
  return {
    orderId: "00000000-0000-0000-0000-000000000000",
    accountId,
    storeId: null,
    platform: "shopify",
    email: "li@example.com",
    customerId: null,
    ip: "192.0.2.1",
    billingCountry: null,
    totalMinor: 1000,
    currency: "USD",
    keys: 1,
    poolIds: [],
    hostRisk: "ACCEPT",
    at: new Date(),
    ...over,
  };
}

async function realOrders(s: TestServices, store: Parameters<typeof applyHostOrder>[1], n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await applyHostOrder(s, store, paidOrder())).orderId);
  return ids;
}
