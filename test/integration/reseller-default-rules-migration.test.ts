import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { currentRuleSetVersion, listRules } from "../../app/.server/db/repositories/risk-rules-repo.ts";
import { ensureRuleSet } from "../../app/.server/use-cases/manage-risk-rules.ts";
import { columnTypes } from "../../db/migrations/column-types.ts";
import { resellerDefaultRules } from "../../db/migrations/0027-reseller-default-rules.ts";
import { dialects } from "../support/dialects.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Migration 0027: accounts made before reseller orders went through the rules still have the old
 * default velocity rules, which would hold nearly every wholesale order. Their unchanged defaults
 * are amended as a new rule-set version; a rule the merchant edited is left alone.
 */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`migration 0027 (default rules skip resellers) on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      s = await makeServices({ dialect });
    });
    afterAll(async () => {
      await s?.cleanup();
    });
    /** An account as an older release left it: the defaults with the old velocity conditions. */
    const oldAccount = async () => {
      const id = (await createAccount(s.db, { name: "Old", alertEmail: "o@example.com" })).id;
      await ensureRuleSet(s.db, id, new Date().toISOString());
      for (const c of ["keys_per_email_1h > 10", "keys_per_ip_1h > 10"]) {
        await s.db.updateTable("risk_rules").set({ condition: c }).where("account_id", "=", id).where("condition", "=", `${c} and platform != reseller`).execute();
      }
      return id;
    };
    const conditions = async (id: string, version?: number) => (await listRules(s.db, id, version)).map((r) => [r.name, r.condition, r.action]);

    it("amends the unchanged defaults as version 2 (version 1 still reads as it was), leaves an edited rule and other rules alone, and runs once", async () => {
      const a = await oldAccount();
      const edited = await oldAccount();
      await s.db.updateTable("risk_rules").set({ name: "My own velocity rule" }).where("account_id", "=", edited).where("condition", "=", "keys_per_ip_1h > 10").execute();
      const before = await conditions(a);
      const editedBefore = await conditions(edited);

      await resellerDefaultRules.up(s.db, columnTypes(s.database.dialect));

      expect(await currentRuleSetVersion(s.db, a)).toBe(2);
      expect(await conditions(a, 1)).toEqual(before);
      expect(await conditions(a)).toEqual(
        before.map(([name, c, action]) => [name, c === "keys_per_email_1h > 10" || c === "keys_per_ip_1h > 10" ? `${c} and platform != reseller` : c, action]),
      );
      // Same place in the merchant's order.
      expect((await listRules(s.db, a)).map((r) => r.name)).toEqual(before.map(([n]) => n));
      // The edited account: only its untouched email rule changes.
      expect(await currentRuleSetVersion(s.db, edited)).toBe(2);
      expect((await conditions(edited)).filter(([n]) => n === "My own velocity rule")).toEqual(editedBefore.filter(([n]) => n === "My own velocity rule"));
      expect((await conditions(edited)).find(([n]) => n === "More than 10 keys from one email in an hour")![1]).toBe("keys_per_email_1h > 10 and platform != reseller");

      await resellerDefaultRules.up(s.db, columnTypes(s.database.dialect));
      expect(await currentRuleSetVersion(s.db, a)).toBe(2);
    });

    it("an account made now already has the new defaults: nothing to amend", async () => {
      const id = (await createAccount(s.db, { name: "New", alertEmail: "n@example.com" })).id;
      await ensureRuleSet(s.db, id, new Date().toISOString());
      await resellerDefaultRules.up(s.db, columnTypes(s.database.dialect));
      expect(await currentRuleSetVersion(s.db, id)).toBe(1);
    });
  });
}
