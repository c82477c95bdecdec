import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { recordAudit } from "../../app/.server/db/repositories/audit-repo.ts";
import { sealAudit, SETTLE_MS, verifyAudit } from "../../app/.server/use-cases/seal-audit.ts";
import { dialects } from "../support/dialects.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The audit chain: the sealer hashes rows onto each account's chain off the order path; verify
 * recomputes it and names the first row edited, removed or inserted behind the chain, and counts
 * rows written after the last seal as not yet sealed (not as tampering).
 */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`audit chain (${dialect})`, () => {
    let s: TestServices;
    let a: string;
    let b: string;
    const later = () => new Date(Date.now() + SETTLE_MS + 1000);
    const ids = async (accountId: string) => (await s.db.selectFrom("audit_log").select("id").where("account_id", "=", accountId).orderBy("id").execute()).map((r) => Number(r.id));

    beforeAll(async () => {
      s = await makeServices({ dialect });
      a = (await createAccount(s.db, { name: "A", alertEmail: "a@example.com" })).id;
      b = (await createAccount(s.db, { name: "B", alertEmail: "b@example.com" })).id;
      for (let i = 0; i < 8; i++) {
        await recordAudit(s.db, { accountId: a, actorType: "admin", actorId: "u1", action: "key.revealed", subjectType: "key", subjectId: String(i), details: { i }, ip: "198.51.100.1" });
        await recordAudit(s.db, { accountId: b, actorType: "system", action: "backorders.filled", subjectType: "pool", subjectId: `p${i}` });
      }
    });
    afterAll(async () => s?.cleanup());

    it("seals every settled row once, per account; an intact chain verifies; new rows are not yet sealed", async () => {
      // Rows within the settle window wait.
      expect((await sealAudit(s)).sealed).toBe(0);
      expect((await sealAudit(s, { now: later() })).sealed).toBe(16);
      expect((await sealAudit(s, { now: later() })).sealed).toBe(0);
      const va = await verifyAudit(s, a);
      expect(va).toMatchObject({ ok: true, sealedRows: 8, notYetSealed: 0, problems: 0 });
      await recordAudit(s.db, { accountId: a, actorType: "cli", action: "pool.created", subjectType: "pool", subjectId: "new" });
      expect(await verifyAudit(s, a)).toMatchObject({ ok: true, sealedRows: 8, notYetSealed: 1 });
      expect((await sealAudit(s, { now: later() })).sealed).toBe(1);
      expect(await verifyAudit(s, a)).toMatchObject({ ok: true, sealedRows: 9, notYetSealed: 0 });
    });

    it("an edited sealed row is named; the other account's chain is untouched", async () => {
      const target = (await ids(a))[3]!;
      const before = await s.db.selectFrom("audit_log").select("details").where("id", "=", target).executeTakeFirstOrThrow();
      await s.db.updateTable("audit_log").set({ details: JSON.stringify({ i: 999 }) }).where("id", "=", target).execute();
      const v = await verifyAudit(s, a);
      expect(v.ok).toBe(false);
      expect(v.firstProblem).toMatchObject({ kind: "edited", auditId: target });
      expect((await verifyAudit(s, b)).ok).toBe(true);
      await s.db.updateTable("audit_log").set({ details: before.details }).where("id", "=", target).execute();
      expect((await verifyAudit(s, a)).ok).toBe(true);
    });

    it("a deleted sealed row is named as removed", async () => {
      const target = (await ids(b))[5]!;
      await s.db.deleteFrom("audit_log").where("id", "=", target).execute();
      const v = await verifyAudit(s, b);
      expect(v.ok).toBe(false);
      expect(v.firstProblem).toMatchObject({ kind: "removed", auditId: target });
    });

    it("a row back-dated behind the last seal is reported as inserted out of order, not as unsealed", async () => {
      await s.db.insertInto("audit_log").values({ account_id: a, actor_type: "admin", actor_id: "u1", action: "key.revealed", subject_type: "key", subject_id: "forged", details: null, ip: null, created_at: new Date(Date.now() - 3_600_000).toISOString() }).execute();
      const forged = (await ids(a)).at(-1)!;
      const v = await verifyAudit(s, a);
      expect(v.ok).toBe(false);
      expect(v.firstProblem).toMatchObject({ kind: "inserted_out_of_order", auditId: forged });
    });
  });
}
