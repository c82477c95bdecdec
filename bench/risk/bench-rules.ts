import { addRiskListEntry } from "../../app/.server/use-cases/manage-risk-lists.ts";
import { addRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import type { Services } from "../../app/.server/ports.ts";

/**
 * The rule sets the risk benches price (issue 13's budget): none (an account without a rule set,
 * as before risk existed), the defaults every install gets, and the defaults plus 20 more
 * (velocity over every subject, lists, countries) with 50 blocked IP ranges.
 */
export type BenchRiskRules = "none" | "defaults" | "defaults+20";
export const BENCH_RISK_RULES: readonly BenchRiskRules[] = ["none", "defaults", "defaults+20"];

export const EXTRA_RULES = [
  ...["email", "ip", "customer"].flatMap((sub) => [`orders_per_${sub}_10m > 20`, `keys_per_${sub}_1d > 200`]),
  // A whole store's velocity: a runaway-sales brake, far above what the bench sends, so it never holds.
  "orders_per_store_10m > 1000000",
  "keys_per_store_1d > 10000000",
  "money_per_email_1d > 1000.00 USD",
  "money_per_ip_7d > 5000.00 USD",
  "ip in block_list",
  "email in block_list",
  "email_domain in block_list",
  "ip_country in [KP, IR]",
  "ip_country != billing_country and total > 100.00 USD",
  "disposable_email and keys > 5",
  "customer_id in block_list",
  "keys > 50",
  "orders_per_ip_1h > 30",
  "keys_per_email_7d > 500",
];

const cli = { type: "cli" as const };

/** Puts an account (which has the default rule set from its install) in the given mode. */
export async function applyBenchRiskRules(s: Pick<Services, "db">, accountId: string, mode: BenchRiskRules): Promise<void> {
  if (mode === "none") {
    await s.db.deleteFrom("risk_rules").where("account_id", "=", accountId).execute();
    await s.db.deleteFrom("risk_rule_sets").where("account_id", "=", accountId).execute();
    return;
  }
  if (mode === "defaults+20") {
    for (const when of EXTRA_RULES) await addRiskRule(s, accountId, { when, then: "review" }, cli);
    for (let i = 0; i < 50; i++) await addRiskListEntry(s, accountId, { kind: "ip", value: `10.${i}.0.0/16`, action: "block" }, cli);
  }
}
