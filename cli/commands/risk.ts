import type { Command, OptionValues } from "../command.ts";
import { formatAmount } from "../../app/.server/domain/reseller-price.ts";
import { attributeNames } from "../../app/.server/domain/risk-attributes.ts";
import { riskLookups } from "../../app/.server/risk/risk-lookups.ts";
import { backtestRiskRule } from "../../app/.server/use-cases/backtest-risk-rule.ts";
import { addRiskListEntry, listRiskListEntries, removeRiskListEntry } from "../../app/.server/use-cases/manage-risk-lists.ts";
import { addRiskRule, listRiskRules, removeRiskRule } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { approveHeldOrder, denyHeldOrder, listHeldOrders } from "../../app/.server/use-cases/review-held-order.ts";
import { UsageError, type Output } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

/**
 * `risk …` (issue 13): the rule set, its back-test and the allow / block lists, with the same
 * use-cases, validation and audit rows as the admin. Public names: README, "Risk control".
 */
const cli = { type: "cli" as const };
const required = (v: OptionValues, ...names: string[]) => {
  if (v.help) return;
  for (const n of names) if (typeof v[n] !== "string" || v[n] === "") throw new UsageError("missingOption", { option: `--${n}` });
};
const conditionHelp = (out: Output) => out.say(out.t("cli.riskConditionHelp", { attributes: attributeNames().join(", ") }));

export const riskRulesList: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await listRiskRules(s, accountId);
    out.say(out.t("cli.riskRulesVersion", { version: r.version, count: r.rules.length }));
    for (const rule of r.rules) out.say(out.t(rule.shadow ? "cli.riskRuleLineShadow" : "cli.riskRuleLine", { id: rule.id, then: rule.then, when: rule.when, name: rule.name }));
    out.result({ accountId, ...r });
  },
};

export const riskRulesAdd: Command = {
  options: { account: { type: "string" }, when: { type: "string" }, then: { type: "string" }, name: { type: "string" }, shadow: { type: "boolean" }, help: { type: "boolean" } },
  needs: "services",
  validate: (v) => required(v, "when", "then"),
  async run(s, v, out) {
    if (v.help) return conditionHelp(out);
    const accountId = await resolveAccount(s, v.account);
    const r = await addRiskRule(s, accountId, { when: v.when, then: v.then, name: v.name, shadow: v.shadow === true }, cli);
    out.say(out.t("cli.riskRuleAdded", { id: r.rule.id, version: r.version }));
    out.result({ accountId, ...r });
  },
};

export const riskRulesRemove: Command = {
  options: { account: { type: "string" } },
  positionals: { count: 1, name: "ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await removeRiskRule(s, accountId, String(v._0), cli);
    out.say(out.t("cli.riskRuleRemoved", { id: v._0, version: r.version }));
    out.result({ accountId, id: v._0, ...r });
  },
};

export const riskRulesTest: Command = {
  options: { account: { type: "string" }, when: { type: "string" }, days: { type: "string" }, help: { type: "boolean" } },
  needs: "services",
  validate: (v) => required(v, "when"),
  async run(s, v, out) {
    if (v.help) return conditionHelp(out);
    const accountId = await resolveAccount(s, v.account);
    const r = await backtestRiskRule(s, riskLookups, accountId, { when: v.when, days: v.days ?? 30 });
    const money = r.matched.money.map((m) => `${m.minor} ${m.currency}`).join(", ") || "0";
    out.say(out.t("cli.riskBacktest", { days: r.days, orders: r.orders, matched: r.matched.orders, keys: r.matched.keys, money }));
    for (const e of r.examples) out.say(out.t("cli.riskBacktestExample", { name: e.name ?? e.orderId, email: e.email ?? "-", at: e.at, keys: e.keys }));
    out.result({ accountId, ...r });
  },
};

export const riskListAdd: Command = {
  options: { account: { type: "string" }, kind: { type: "string" }, value: { type: "string" }, action: { type: "string" }, "expires-in": { type: "string" }, note: { type: "string" } },
  needs: "services",
  validate: (v) => required(v, "kind", "value", "action"),
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const e = await addRiskListEntry(s, accountId, { kind: v.kind, value: v.value, action: v.action, expiresIn: v["expires-in"], note: v.note }, cli);
    out.say(out.t(e.expiresAt ? "cli.riskListAddedUntil" : "cli.riskListAdded", { kind: e.kind, value: e.value, action: e.action, until: e.expiresAt ?? "" }));
    out.result({ accountId, entry: e });
  },
};

export const riskListShow: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const entries = await listRiskListEntries(s, accountId);
    for (const e of entries) out.say(out.t("cli.riskListLine", { id: e.id, kind: e.kind, value: e.value, action: e.action, until: e.expiresAt ?? "-" }));
    out.result({ accountId, entries });
  },
};

export const riskListRemove: Command = {
  options: { account: { type: "string" } },
  positionals: { count: 1, name: "ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    await removeRiskListEntry(s, accountId, String(v._0), cli);
    out.say(out.t("cli.riskListRemoved", { id: v._0 }));
    out.result({ accountId, id: v._0, removed: true });
  },
};

export const riskReviewList: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const held = await listHeldOrders(s, accountId);
    out.say(out.t("cli.riskReviewCount", { count: held.length }));
    for (const h of held) out.say(out.t("cli.riskReviewLine", { id: h.orderId, name: h.name ?? "-", email: h.email ?? "-", at: h.heldAt, rules: h.rules.filter((r) => !r.shadow).map((r) => r.name).join("; ") }));
    out.result({ accountId, orders: held });
  },
};

export const riskReviewApprove: Command = {
  options: { account: { type: "string" }, reason: { type: "string" } },
  positionals: { count: 1, name: "ORDER_ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await approveHeldOrder(s, accountId, String(v._0), cli, typeof v.reason === "string" ? v.reason : null);
    out.say(out.t("cli.riskReviewApproved", { id: r.orderId }));
    out.result({ accountId, ...r });
  },
};

export const riskReviewDeny: Command = {
  options: { account: { type: "string" }, reason: { type: "string" }, cancel: { type: "boolean" }, refund: { type: "boolean" }, restock: { type: "boolean" } },
  positionals: { count: 1, name: "ORDER_ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    // --refund implies --cancel (Shopify refunds by cancelling; WooCommerce by a refund).
    const host = { cancel: v.cancel === true || v.refund === true, refund: v.refund === true, restock: v.restock === true };
    const r = await denyHeldOrder(s, accountId, String(v._0), cli, typeof v.reason === "string" ? v.reason : null, host);
    out.say(out.t("cli.riskReviewDenied", { id: r.orderId, count: r.released }));
    if (r.hostCancel) out.say(out.t(host.refund ? "cli.riskReviewHostRefund" : "cli.riskReviewHostCancel"));
    // A reseller's order: no store to cancel on; its total went back to the reseller's balance.
    if (r.resellerCredit) out.say(out.t("cli.riskReviewResellerCredited", { amount: formatAmount(r.resellerCredit.creditedMinor, r.resellerCredit.currency), currency: r.resellerCredit.currency }));
    out.result({ accountId, ...r, host });
  },
};
