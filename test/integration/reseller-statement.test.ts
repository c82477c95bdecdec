import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayStartUtc } from "../../app/.server/domain/report-day.ts";
import { authenticateReseller } from "../../app/.server/use-cases/authenticate-reseller.ts";
import { placeResellerOrder } from "../../app/.server/use-cases/place-reseller-order.ts";
import { refundResellerOrder } from "../../app/.server/use-cases/refund-reseller-order.ts";
import { changeResellerBalance } from "../../app/.server/use-cases/reseller-balance.ts";
import { getResellerStatement, statementCsv } from "../../app/.server/use-cases/reseller-statement.ts";
import { dialects } from "../support/dialects.ts";
import { cli, makeReseller, type ResellerSetup } from "../support/reseller-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/** The monthly statement: months in the account's time zone, totals per kind, closing == opening + entries == the ledger. */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller statement on ${dialect}`, () => {
    let s: TestServices;
    let r: ResellerSetup;
    beforeAll(async () => {
      s = await makeServices({ dialect });
      r = await makeReseller(s, { stock: 5, price: "2.00", topup: "30" });
      await s.db.updateTable("accounts").set({ time_zone: "Asia/Shanghai" }).where("id", "=", r.accountId).execute();
      const caller = await authenticateReseller(s, `Bearer ${r.token}`, "127.0.0.1", "orders:write");
      const a = await placeResellerOrder(s, caller, "s-1", { pool: r.poolId, quantity: 2, reference: "PO-A" }, { pool: r.poolId, quantity: 2, reference: "PO-A" }, "127.0.0.1");
      await placeResellerOrder(s, caller, "s-2", { pool: r.poolId, quantity: 1 }, { pool: r.poolId, quantity: 1 }, "127.0.0.1");
      await refundResellerOrder(s, r.accountId, a.order.id, cli);
      await changeResellerBalance(s, r.accountId, { resellerId: r.resellerId, kind: "adjustment", amount: "-1.50", note: "goodwill" }, cli);
      // Dates: the top-up in October; the orders, refund and adjustment on 30 November at 23:30
      // Shanghai (15:30 UTC), which is November there; nothing in December.
      const entries = await s.db.selectFrom("reseller_ledger").select(["id", "kind"]).where("reseller_id", "=", r.resellerId).orderBy("id").execute();
      for (const e of entries) {
        const at = e.kind === "topup" ? "2026-10-15T02:00:00.000Z" : "2026-11-30T15:30:00.000Z";
        await s.db.updateTable("reseller_ledger").set({ created_at: at }).where("id", "=", e.id).execute();
      }
      await s.db.updateTable("orders").set({ created_at: "2026-11-30T15:30:00.000Z" }).where("reseller_id", "=", r.resellerId).execute();
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    it("a local day starts at the zone's midnight", () => {
      expect(dayStartUtc("2026-12-01", "Asia/Shanghai").toISOString()).toBe("2026-11-30T16:00:00.000Z");
      expect(dayStartUtc("2026-03-08", "America/New_York").toISOString()).toBe("2026-03-08T05:00:00.000Z");
      expect(dayStartUtc("2026-03-09", "America/New_York").toISOString()).toBe("2026-03-09T04:00:00.000Z");
    });

    it("November: opening from October, every kind totalled, closing equal to the last entry", async () => {
      const st = await getResellerStatement(s, r.accountId, r.resellerId, "2026-11");
      expect(st.openingMinor).toBe(3000);
      expect(st.totals).toEqual({ topup: { count: 0, amountMinor: 0 }, debit: { count: 2, amountMinor: -600 }, credit: { count: 1, amountMinor: 400 }, adjustment: { count: 1, amountMinor: -150 } });
      expect(st.closingMinor).toBe(3000 - 600 + 400 - 150);
      expect(st.closingMinor).toBe(st.entries[st.entries.length - 1].balanceAfterMinor);
      expect(st.orders).toEqual({ count: 2, units: 3, refunded: 1 });
      expect(st.entries.map((e) => e.reference)).toContain("PO-A");
      const csv = statementCsv(st);
      expect(csv.startsWith("\uFEFFstatement,Downstream shop,2026-11,Asia/Shanghai,USD")).toBe(true);
      expect(csv).toContain("closing_balance,,,,26.50");
      const dec = await getResellerStatement(s, r.accountId, r.resellerId, "2026-12");
      expect(dec).toMatchObject({ openingMinor: 2650, closingMinor: 2650, entries: [] });
    });

    it("a bad month names the field; another account's reseller is not found", async () => {
      await expect(getResellerStatement(s, r.accountId, r.resellerId, "2026-13")).rejects.toMatchObject({ code: "report_invalid_month", field: "month" });
      const other = await makeReseller(s, {});
      await expect(getResellerStatement(s, other.accountId, r.resellerId, "2026-11")).rejects.toMatchObject({ code: "reseller_not_found" });
    });
  });
}
