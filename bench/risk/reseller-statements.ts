/**
 * Reseller orders through the risk rules (issue 13 item 6): SQL statements per live
 * placeResellerOrder (the Idempotency-Key, the order's transaction, the answer), and the mean time
 * per order placed one after another, without a rule set, with the default rules (whose keys per
 * email / IP in an hour hold every order past the 10th: the reseller's contact email and server IP
 * are the same on each), and with the defaults minus those two plus a reseller velocity rule and a
 * customer block list (nothing held). Prints how many were held. Counts every statement through
 * a Kysely plugin, as bench/risk/statements.ts does. Prints; asserts nothing.
 *
 *   node bench/risk/reseller-statements.ts [--orders 200] [--only sqlite|postgres]
 */
import { parseArgs } from "node:util";
import type { KyselyPlugin } from "kysely";
import { authenticateReseller } from "../../app/.server/use-cases/authenticate-reseller.ts";
import { addRiskListEntry } from "../../app/.server/use-cases/manage-risk-lists.ts";
import { addRiskRule, ensureRuleSet, listRiskRules, removeRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { placeResellerOrder } from "../../app/.server/use-cases/place-reseller-order.ts";
import { makeReseller } from "../../test/support/reseller-fixtures.ts";
import { makeServices, type TestDialect } from "../../test/support/test-services.ts";

const { values } = parseArgs({ options: { orders: { type: "string", default: "200" }, only: { type: "string" } } });
const n = Number(values.orders);
const cli = { type: "cli" as const };

async function run(dialect: TestDialect, mode: "none" | "defaults" | "reseller") {
  const s = await makeServices({ dialect });
  try {
    const r = await makeReseller(s, { stock: n + 10, topup: String(n * 3), price: "1.00" });
    if (mode !== "none") await ensureRuleSet(s.db, r.accountId, new Date().toISOString());
    if (mode === "reseller") {
      for (const rule of (await listRiskRules(s, r.accountId)).rules) if (/^keys_per_(email|ip)_1h/.test(rule.when)) await removeRiskRule(s, r.accountId, rule.id, cli);
      await addRiskRule(s, r.accountId, { when: "platform = reseller and keys_per_customer_1h > 100000", then: "review" }, cli);
      await addRiskListEntry(s, r.accountId, { kind: "customer", value: "someone-else", action: "block" }, cli);
    }
    const caller = await authenticateReseller(s, `Bearer ${r.token}`, "198.51.100.7", "orders:write");
    let statements = 0;
    let held = 0;
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
      const body = { pool: r.poolId, quantity: 1 };
      const placed = await placeResellerOrder(counted, caller, `bench-${i}`, body, body, "198.51.100.7");
      if (placed.order.status === "in_review") held++;
    }
    const ms = performance.now() - start;
    return { statements: statements / n, msPerOrder: ms / n, held };
  } finally {
    await s.cleanup();
  }
}

for (const dialect of (values.only ? [values.only] : ["sqlite", "postgres"]) as TestDialect[]) {
  const rows = [];
  for (const mode of ["none", "defaults", "reseller"] as const) rows.push({ mode, ...(await run(dialect, mode)) });
  const base = rows[0]!;
  console.log(`\n${dialect}: ${n} reseller orders placed one after another`);
  for (const r of rows) console.log(`  ${r.mode.padEnd(12)} ${r.statements.toFixed(1).padStart(5)} statements/order  ${r.msPerOrder.toFixed(2).padStart(6)} ms/order  (${((r.msPerOrder / base.msPerOrder - 1) * 100).toFixed(0)}% vs none)  held ${r.held}`);
}
process.exit(0);
