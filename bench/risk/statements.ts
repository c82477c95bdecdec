/**
 * Risk rules on the hot path (issue 13): SQL statements per paid order applied (applyHostOrder:
 * upsert, claim, staging, and the risk gate), and the mean time per order applied one after
 * another, without rules, with the default rules, and with the defaults plus 20 more (velocity
 * and lists), and with the defaults plus one card rule (`orders_per_card_24h > 3`: the card is
 * read from the host before each order's transaction). Each order carries Shopify's finished
 * analysis (ACCEPT), as the batch read before the transaction gives it, so the defaults decide at
 * once (no wait). Counts every statement the use-case sends,
 * through a Kysely plugin, and every card read (a counting stand-in for the host). Prints; asserts
 * nothing.
 *
 *   node bench/risk/statements.ts [--orders 300] [--only sqlite|postgres]
 */
import { parseArgs } from "node:util";
import type { KyselyPlugin } from "kysely";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { addRiskRule, ensureRuleSet } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { makeShop, paidOrder, stockPool } from "../../test/support/fulfilment-fixtures.ts";
import { makeServices, type TestDialect } from "../../test/support/test-services.ts";
import { applyBenchRiskRules, BENCH_RISK_RULES, type BenchRiskRules } from "./bench-rules.ts";

const { values } = parseArgs({ options: { orders: { type: "string", default: "300" }, only: { type: "string" } } });
const n = Number(values.orders);


type Mode = BenchRiskRules | "defaults+card";

async function run(dialect: TestDialect, mode: Mode) {
  const s = await makeServices({ dialect });
  try {
    const shop = await makeShop(s);
    await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: n + 10 }, (_, i) => `B-${i}`));
    await ensureRuleSet(s.db, shop.accountId, new Date().toISOString());
    await applyBenchRiskRules(s, shop.accountId, mode === "defaults+card" ? "defaults" : mode);
    if (mode === "defaults+card") await addRiskRule(s, shop.accountId, { when: "orders_per_card_24h > 3", then: "review" }, { type: "cli" });
    let statements = 0;
    // Counted per result (once per statement run): a compound statement's parts are transformed one by one.
    const counter: KyselyPlugin = {
      transformQuery: (a) => a.node,
      transformResult: async (a) => {
        statements++;
        return a.result;
      },
    };
    // The host, as far as the order path asks it: the card (one call per order when the rules read it).
    let hostCalls = 0;
    const connectors = {
      ...s.connectors,
      forStore: async () => ({ fetchOrderCard: async () => (hostCalls++, { bin: "424242", last4: String(1000 + (hostCalls % 40)), brand: "Visa" }) }) as unknown as Awaited<ReturnType<typeof s.connectors.forStore>>,
    };
    const counted = { ...s, db: s.db.withPlugin(counter), connectors };
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      // Shopify's finished analysis, as read before the order's transaction when the rules wait for it (read-host-risk.ts).
      await applyHostOrder(counted, shop.store, { ...paidOrder({ email: `b${i % 40}@example.com` }), clientIp: `198.51.100.${i % 200}`, billingCountry: "US", riskRecommendation: "accept" });
    }
    const ms = performance.now() - start;
    return { statements: statements / n, hostCalls: hostCalls / n, msPerOrder: ms / n };
  } finally {
    await s.cleanup();
  }
}

for (const dialect of (values.only ? [values.only] : ["sqlite", "postgres"]) as TestDialect[]) {
  const rows = [];
  for (const mode of [...BENCH_RISK_RULES, "defaults+card"] as const) rows.push({ mode, ...(await run(dialect, mode)) });
  const base = rows[0]!;
  console.log(`\n${dialect}: ${n} orders applied one after another`);
  for (const r of rows) console.log(`  ${r.mode.padEnd(13)} ${r.statements.toFixed(1).padStart(5)} statements/order  ${r.hostCalls.toFixed(2)} card reads/order  ${r.msPerOrder.toFixed(2).padStart(6)} ms/order  (${((r.msPerOrder / base.msPerOrder - 1) * 100).toFixed(0)}% vs none)`);
}
process.exit(0);
