/**
 * Risk rules on the hot path (issue 13): SQL statements per paid order applied (applyHostOrder:
 * upsert, claim, staging, and the risk gate), and the mean time per order applied one after
 * another, without rules, with the default rules, and with the defaults plus 20 more (velocity
 * and lists). Counts every statement the use-case sends, through a Kysely plugin. Prints; asserts
 * nothing.
 *
 *   node bench/risk/statements.ts [--orders 300] [--only sqlite|postgres]
 */
import { parseArgs } from "node:util";
import type { KyselyPlugin } from "kysely";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { ensureRuleSet } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { makeShop, paidOrder, stockPool } from "../../test/support/fulfilment-fixtures.ts";
import { makeServices, type TestDialect } from "../../test/support/test-services.ts";
import { applyBenchRiskRules, BENCH_RISK_RULES, type BenchRiskRules } from "./bench-rules.ts";

const { values } = parseArgs({ options: { orders: { type: "string", default: "300" }, only: { type: "string" } } });
const n = Number(values.orders);


async function run(dialect: TestDialect, mode: BenchRiskRules) {
  const s = await makeServices({ dialect });
  try {
    const shop = await makeShop(s);
    await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: n + 10 }, (_, i) => `B-${i}`));
    await ensureRuleSet(s.db, shop.accountId, new Date().toISOString());
    await applyBenchRiskRules(s, shop.accountId, mode);
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (a) => {
        statements++;
        return a.node;
      },
      transformResult: async (a) => a.result,
    };
    const counted = { ...s, db: s.db.withPlugin(counter) };
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      await applyHostOrder(counted, shop.store, { ...paidOrder({ email: `b${i % 40}@example.com` }), clientIp: `198.51.100.${i % 200}`, billingCountry: "US" });
    }
    const ms = performance.now() - start;
    return { statements: statements / n, msPerOrder: ms / n };
  } finally {
    await s.cleanup();
  }
}

for (const dialect of (values.only ? [values.only] : ["sqlite", "postgres"]) as TestDialect[]) {
  const rows = [];
  for (const mode of BENCH_RISK_RULES) rows.push({ mode, ...(await run(dialect, mode)) });
  const base = rows[0]!;
  console.log(`\n${dialect}: ${n} orders applied one after another`);
  for (const r of rows) console.log(`  ${r.mode.padEnd(12)} ${r.statements.toFixed(1).padStart(5)} statements/order  ${r.msPerOrder.toFixed(2).padStart(6)} ms/order  (${((r.msPerOrder / base.msPerOrder - 1) * 100).toFixed(0)}% vs none)`);
}
process.exit(0);
