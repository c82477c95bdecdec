import crypto from "node:crypto";
import type { RiskRulesTable } from "../schema.ts";
import type { Executor } from "./job-rows.ts";

export interface StoredRule {
  id: string;
  position: number;
  name: string;
  condition: string;
  action: RiskRulesTable["action"];
  shadow: boolean;
}

export interface NewRule {
  name: string;
  condition: string;
  action: RiskRulesTable["action"];
  shadow: boolean;
}

/** The account's current version, or null when it has no rule set yet. */
export async function currentRuleSetVersion(db: Executor, accountId: string): Promise<number | null> {
  const row = await db.selectFrom("risk_rule_sets").select("version").where("account_id", "=", accountId).executeTakeFirst();
  return row ? row.version : null;
}

/** Creates version 1 with these rules unless the account has a rule set; true when it did. */
export async function createRuleSet(db: Executor, accountId: string, rules: NewRule[], now: string): Promise<boolean> {
  const created = await db
    .insertInto("risk_rule_sets")
    .values({ account_id: accountId, version: 1, updated_at: now })
    .onConflict((oc) => oc.column("account_id").doNothing())
    .returning("version")
    .executeTakeFirst();
  if (!created) return false;
  for (const [i, r] of rules.entries()) await insertRule(db, accountId, r, i + 1, 1, now);
  return true;
}

/** Moves the version from `from` to from+1; false when someone else changed it first. */
export async function bumpRuleSetVersion(db: Executor, accountId: string, from: number, now: string): Promise<boolean> {
  const r = await db.updateTable("risk_rule_sets").set({ version: from + 1, updated_at: now }).where("account_id", "=", accountId).where("version", "=", from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertRule(db: Executor, accountId: string, r: NewRule, position: number, version: number, now: string): Promise<string> {
  const id = `rule_${crypto.randomBytes(6).toString("hex")}`;
  await db
    .insertInto("risk_rules")
    .values({ id, account_id: accountId, position, name: r.name, condition: r.condition, action: r.action, shadow: r.shadow ? 1 : 0, version_from: version, version_to: null, created_at: now })
    .execute();
  return id;
}

/** Ends a live rule at `version` (it stays readable for the versions it was in); false if it is not live. */
export async function closeRule(db: Executor, accountId: string, ruleId: string, version: number): Promise<boolean> {
  const r = await db.updateTable("risk_rules").set({ version_to: version }).where("account_id", "=", accountId).where("id", "=", ruleId).where("version_to", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The rules live in `version` (the current one by default), in the merchant's order. */
export async function listRules(db: Executor, accountId: string, version?: number): Promise<StoredRule[]> {
  let q = db.selectFrom("risk_rules").select(["id", "position", "name", "condition", "action", "shadow"]).where("account_id", "=", accountId);
  q = version === undefined ? q.where("version_to", "is", null) : q.where("version_from", "<=", version).where((eb) => eb.or([eb("version_to", "is", null), eb("version_to", ">", version)]));
  const rows = await q.orderBy("position").orderBy("id").execute();
  return rows.map((r) => ({ ...r, shadow: r.shadow === 1 }));
}

export async function nextRulePosition(db: Executor, accountId: string): Promise<number> {
  const row = await db.selectFrom("risk_rules").select((eb) => eb.fn.max("position").as("p")).where("account_id", "=", accountId).executeTakeFirst();
  return Number(row?.p ?? 0) + 1;
}

/** A live rule's place in the merchant's order (moving rules up and down). */
export async function setRulePosition(db: Executor, accountId: string, ruleId: string, position: number): Promise<void> {
  await db.updateTable("risk_rules").set({ position }).where("account_id", "=", accountId).where("id", "=", ruleId).where("version_to", "is", null).execute();
}
