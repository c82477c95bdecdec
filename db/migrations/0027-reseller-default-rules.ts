import crypto from "node:crypto";
import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Reseller orders pass through the risk rules (issue 13, item 6). A reseller buys wholesale from
 * one server, so the two default velocity rules ("more than 10 keys from one email / IP in an
 * hour") would hold nearly every reseller order; the reseller's own limits (units per order and
 * per day) are its velocity control. The defaults now say `and platform != reseller`. Accounts
 * whose live rule is still the old default get it amended as a new rule-set version, exactly as a
 * merchant's edit would (the old version stays readable for the decisions that used it); a rule
 * the merchant changed is left alone.
 */
const AMENDED: Record<string, string> = {
  "keys_per_email_1h > 10": "keys_per_email_1h > 10 and platform != reseller",
  "keys_per_ip_1h > 10": "keys_per_ip_1h > 10 and platform != reseller",
};
const NAMES: Record<string, string> = {
  "keys_per_email_1h > 10": "More than 10 keys from one email in an hour",
  "keys_per_ip_1h > 10": "More than 10 keys from one IP in an hour",
};

export const resellerDefaultRules: KeyrelayMigration = {
  async up(db) {
    const live = await db
      .selectFrom("risk_rules")
      .select(["id", "account_id", "position", "name", "condition", "action", "shadow"])
      .where("version_to", "is", null)
      .where("condition", "in", Object.keys(AMENDED))
      .execute();
    const byAccount = new Map<string, typeof live>();
    for (const r of live) if (NAMES[r.condition] === r.name && r.action === "review") byAccount.set(r.account_id, [...(byAccount.get(r.account_id) ?? []), r]);
    const now = new Date().toISOString();
    for (const [accountId, rules] of byAccount) {
      const set = await db.selectFrom("risk_rule_sets").select("version").where("account_id", "=", accountId).executeTakeFirst();
      if (!set) continue;
      const next = Number(set.version) + 1;
      for (const r of rules) {
        await db.updateTable("risk_rules").set({ version_to: next }).where("id", "=", r.id).execute();
        await db
          .insertInto("risk_rules")
          .values({ id: `rule_${crypto.randomBytes(6).toString("hex")}`, account_id: accountId, position: r.position, name: r.name, condition: AMENDED[r.condition], action: r.action, shadow: r.shadow, version_from: next, version_to: null, created_at: now })
          .execute();
      }
      await db.updateTable("risk_rule_sets").set({ version: next, updated_at: now }).where("account_id", "=", accountId).execute();
    }
  },
};
