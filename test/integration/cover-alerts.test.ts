import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "../../app/.server/domain/report-day.ts";
import { checkCoverAlerts } from "../../app/.server/use-cases/check-cover-alerts.ts";
import { setRestockPlan } from "../../app/.server/use-cases/manage-restock-plan.ts";
import { sendLowStockAlert } from "../../app/.server/use-cases/send-low-stock-alert.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, stockPool, type Shop } from "../support/fulfilment-fixtures.ts";
import { writeSalesHistory } from "../support/sales-history.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const cli = { type: "cli" as const };

/** The days-of-cover alert: fires once when the forecast stock runs short, says when it runs out, re-arms after a restock. */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`days-of-cover alerts on ${dialect}`, () => {
    let s: TestServices;
    let shop: Shop;
    beforeAll(async () => {
      s = await makeServices({ dialect });
      shop = await makeShop(s);
      // Ten keys a day for 60 days, then 25 keys in stock: about two and a half days of cover.
      await writeSalesHistory(s.db, { accountId: shop.accountId, storeIds: [shop.store.id], pools: [{ id: shop.poolId, weight: 1, priceMinor: 1000, costMinor: 600 }], endDay: addDays(new Date().toISOString().slice(0, 10), -1), days: 60, ordersPerDay: 8, currency: "USD", buyers: 100, refundShare: 0 });
      await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: 25 }, (_, i) => `C-${i}`));
    });
    afterAll(async () => {
      await s?.cleanup();
    });
    const alerts = () => s.db.selectFrom("jobs").select("payload").where("queue", "=", "low-stock-alert").execute();

    it("refuses a bad plan naming the field, and another account's pool", async () => {
      await expect(setRestockPlan(s, shop.accountId, shop.poolId, { alertDays: "0" }, cli)).rejects.toMatchObject({ code: "report_bad_number", field: "alertDays" });
      await expect(setRestockPlan(s, shop.accountId, shop.poolId, { serviceLevelPct: "100" }, cli)).rejects.toMatchObject({ field: "serviceLevelPct" });
      const other = await makeShop(s);
      await expect(setRestockPlan(s, other.accountId, shop.poolId, { alertDays: "7" }, cli)).rejects.toMatchObject({ code: "pool_not_found" });
      const pool = await s.db.selectFrom("pools").select(["low_stock_days", "lead_time_days"]).where("id", "=", shop.poolId).executeTakeFirstOrThrow();
      expect(pool).toEqual({ low_stock_days: null, lead_time_days: null });
    });

    it("alerts once when the stock lasts fewer days than the plan says, with the days in the email", async () => {
      expect(await checkCoverAlerts(s)).toMatchObject({ checked: 0, alerted: 0 });
      await setRestockPlan(s, shop.accountId, shop.poolId, { alertDays: "7", leadTimeDays: "5" }, cli);
      expect(await checkCoverAlerts(s)).toMatchObject({ checked: 1, alerted: 1 });
      expect(await checkCoverAlerts(s)).toMatchObject({ checked: 1, alerted: 0 });
      const jobs = await alerts();
      expect(jobs).toHaveLength(1);
      expect(JSON.parse(jobs[0].payload)).toEqual({ accountId: shop.accountId, poolId: shop.poolId, reason: "cover" });
      await sendLowStockAlert(s, JSON.parse(jobs[0].payload));
      const outbox = path.join(s.dataDir, "outbox");
      // Quoted-printable soft line breaks joined back.
      const mail = fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), "utf8")).join("\n").replace(/=\r?\n/g, "");
      expect(mail).toMatch(/Subject: Game card runs out in about \d days?/);
      expect(mail).toMatch(/runs out in about \d days?; suggested order: \d+ keys/);
      const audit = await s.db.selectFrom("audit_log").select("details").where("action", "=", "pool.restock_plan_changed").where("subject_id", "=", shop.poolId).execute();
      expect(audit.map((a) => JSON.parse(a.details!))).toEqual([{ leadTimeDays: 5, serviceLevelPct: null, alertDays: 7 }]);
    });

    it("re-arms once a restock lasts beyond the plan", async () => {
      await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: 2000 }, (_, i) => `R-${i}`));
      expect(await checkCoverAlerts(s)).toMatchObject({ alerted: 0, cleared: 1 });
      const pool = await s.db.selectFrom("pools").select("cover_alerted_at").where("id", "=", shop.poolId).executeTakeFirstOrThrow();
      expect(pool.cover_alerted_at).toBeNull();
    });
  });
}
