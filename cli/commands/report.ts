import { formatAmount } from "../../app/.server/domain/reseller-price.ts";
import { getPoolForecast, parseForecastOptions } from "../../app/.server/use-cases/get-pool-forecast.ts";
import { getDeliveryReport, getMarginReport, getRepurchaseReport, getSalesReport } from "../../app/.server/use-cases/get-reports.ts";
import { setRestockPlan } from "../../app/.server/use-cases/manage-restock-plan.ts";
import { rebuildReportRollups } from "../../app/.server/use-cases/rebuild-report-rollups.ts";
import { deliveryCsv, marginCsv, repurchaseCsv, salesCsv } from "../../app/.server/use-cases/report-csv.ts";
import type { Command, OptionValues } from "../command.ts";
import { UsageError, type Output } from "../output.ts";
import { progressBar } from "../progress-bar.ts";
import { resolveAccount } from "../resolve-account.ts";

/**
 * `report …` and `forecast` (issue 15): the same use-cases as the Reports page. Human text, one
 * JSON document with --json, or the page's CSV export with --csv. Public names: README, "Reports".
 */
const cli = { type: "cli" as const };
const rangeOptions = { account: { type: "string" }, from: { type: "string" }, to: { type: "string" }, "group-by": { type: "string" }, csv: { type: "boolean" } } as const;
const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)}%`);

function csvOrNot(v: OptionValues): void {
  if (v.csv && v.json) throw new UsageError("unknownOption", { detail: "--csv with --json" });
}

function writeCsv(text: string): void {
  process.stdout.write(text);
}

export const reportSales: Command = {
  options: rangeOptions,
  needs: "services",
  validate: csvOrNot,
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await getSalesReport(s, accountId, { from: v.from as string | undefined, to: v.to as string | undefined, groupBy: v["group-by"] as string | undefined });
    if (v.csv) return writeCsv(salesCsv(r));
    header(out, r);
    for (const c of r.currencies) {
      out.say(out.t("cli.reportSalesTotals", { currency: c.currency || "-", orders: c.totals.orders, units: c.totals.units, revenue: formatAmount(c.totals.revenueMinor, c.currency), net: formatAmount(c.totals.netMinor, c.currency), change: pct(c.change.revenue) }));
      for (const row of c.rows) {
        if (row.units === 0 && row.orders === 0) continue;
        out.say(`  ${(row.label || row.key).padEnd(24)} ${String(row.orders).padStart(7)} ${String(row.units).padStart(7)} ${formatAmount(row.revenueMinor, c.currency).padStart(12)} ${formatAmount(row.refundedMinor, c.currency).padStart(10)}`);
      }
    }
    out.result({ accountId, ...r });
  },
};

function header(out: Output, r: { range: { from: string; to: string }; timeZone: string; pendingOrders: number }): void {
  out.say(out.t("cli.reportRange", { from: r.range.from, to: r.range.to, timeZone: r.timeZone }));
  if (r.pendingOrders > 0) out.say(out.t("cli.reportPending", { count: r.pendingOrders }));
}

export const reportMargin: Command = {
  options: rangeOptions,
  needs: "services",
  validate: csvOrNot,
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await getMarginReport(s, accountId, { from: v.from as string | undefined, to: v.to as string | undefined, groupBy: v["group-by"] as string | undefined });
    if (v.csv) return writeCsv(marginCsv(r));
    header(out, r);
    for (const c of r.currencies) {
      out.say(out.t("cli.reportMarginTotals", { currency: c.currency || "-", net: formatAmount(c.totals.netMinor, c.currency), cost: formatAmount(c.totals.costMinor, c.currency), margin: formatAmount(c.totals.marginMinor, c.currency), pct: pct(c.totals.marginPct), unknown: c.totals.costUnknownUnits }));
      for (const row of c.rows) out.say(`  ${(row.label || row.key || "-").padEnd(28)} ${formatAmount(row.netMinor, c.currency).padStart(12)} ${formatAmount(row.costMinor, c.currency).padStart(12)} ${formatAmount(row.marginMinor, c.currency).padStart(12)} ${pct(row.marginPct).padStart(7)}`);
    }
    out.result({ accountId, ...r });
  },
};

export const reportRepurchase: Command = {
  options: { ...rangeOptions, reveal: { type: "boolean" } },
  needs: "services",
  validate: csvOrNot,
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await getRepurchaseReport(s, accountId, { from: v.from as string | undefined, to: v.to as string | undefined, reveal: v.reveal === true }, cli);
    if (v.csv) return writeCsv(repurchaseCsv(r));
    header(out, r);
    out.say(out.t("cli.reportRepurchase", { buyers: r.buyers, repeat: r.repeatBuyers, share: pct(r.repeatShare) }));
    for (const p of r.pools) out.say(out.t("cli.reportRepurchasePool", { pool: p.label, buyers: p.buyers, repeat: p.repeatBuyers, days: p.medianDaysBetween ?? "–" }));
    for (const b of r.topBuyers) out.say(`  ${b.buyer.padEnd(32)} ${String(b.orders).padStart(5)} ${String(b.units).padStart(6)}  ${b.firstDay}..${b.lastDay}`);
    out.result({ accountId, ...r });
  },
};

const duration = (secs: number | null) => (secs === null ? "–" : secs < 120 ? `${secs} s` : secs < 7200 ? `${Math.round(secs / 60)} min` : `${(secs / 3600).toFixed(1)} h`);

export const reportDelivery: Command = {
  options: { account: rangeOptions.account, from: rangeOptions.from, to: rangeOptions.to, csv: rangeOptions.csv },
  needs: "services",
  validate: csvOrNot,
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const r = await getDeliveryReport(s, accountId, { from: v.from as string | undefined, to: v.to as string | undefined });
    if (v.csv) return writeCsv(deliveryCsv(r));
    header(out, r);
    const t = r.totals;
    out.say(out.t("cli.reportDelivery", { orders: t.orders, p50: duration(t.p50Seconds), p95: duration(t.p95Seconds), opened: t.backordersOpened, filled: t.backordersFilled, wait: duration(t.meanWaitSeconds) }));
    out.result({ accountId, ...r });
  },
};

export const reportRebuild: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    // The bar's "lines" are orders done, "added" the total.
    const bar = progressBar((p) => out.t("cli.reportRebuilding", { done: p.lines, total: p.added }), !out.json && Boolean(process.stderr.isTTY));
    const r = await rebuildReportRollups(s, accountId, cli, (done, total) => bar.update({ lines: done, added: total }));
    bar.done();
    out.say(out.t(r.check.ok ? "cli.reportRebuilt" : "cli.reportRebuiltMismatch", { orders: r.orders, rows: r.rollupRows, mismatches: r.check.mismatches.length }));
    out.result({ accountId, ...r });
    if (!r.check.ok) process.exitCode = 1;
  },
};

export const forecast: Command = {
  options: { account: { type: "string" }, pool: { type: "string" }, days: { type: "string" }, "lead-time": { type: "string" }, "service-level": { type: "string" } },
  needs: "services",
  validate: (v) => {
    if (typeof v.pool !== "string" || v.pool === "") throw new UsageError("missingOption", { option: "--pool" });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const opts = parseForecastOptions({ days: v.days as string | undefined, leadTimeDays: v["lead-time"] as string | undefined, serviceLevelPct: v["service-level"] as string | undefined });
    const r = await getPoolForecast(s, accountId, v.pool as string, opts);
    if (r.forecast.status === "insufficient_history") {
      out.say(out.t("cli.forecastInsufficient", { pool: r.poolName, days: r.forecast.historyDays, selling: r.forecast.sellingDays, neededDays: r.forecast.neededDays, neededSelling: r.forecast.neededSellingDays }));
    } else {
      const total = r.points.reduce((n, p) => n + p.mean, 0);
      out.say(out.t("cli.forecastSummary", { pool: r.poolName, days: r.days, units: total.toFixed(1), method: r.forecast.method, mase: r.forecast.backtestMase, share: Math.round(r.forecast.intervalShare * 100) }));
      const plan = r.plan!;
      out.say(
        r.available === 0
          ? out.t("cli.forecastOutOfStock", { pool: r.poolName })
          : plan.daysOfCover === null
          ? out.t("cli.forecastCoverBeyond", { available: r.available, days: r.days })
          : out.t("cli.forecastCover", { available: r.available, count: plan.daysOfCover }),
      );
      out.say(out.t("cli.forecastReorder", { point: plan.reorderPoint, lead: r.leadTimeDays, level: r.serviceLevelPct, suggested: plan.suggestedOrderQuantity }));
    }
    out.result({ accountId, ...r });
  },
};

export const poolRestock: Command = {
  options: { account: { type: "string" }, "lead-time": { type: "string" }, "service-level": { type: "string" }, "alert-days": { type: "string" } },
  positionals: { count: 1, name: "POOL_ID" },
  needs: "services",
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const current = await s.db.selectFrom("pools").select(["lead_time_days", "service_level_pct", "low_stock_days"]).where("account_id", "=", accountId).where("id", "=", String(v._0)).executeTakeFirst();
    // Options not given keep their value; "" or "off" clears one.
    const plan = await setRestockPlan(
      s,
      accountId,
      String(v._0),
      {
        leadTimeDays: v["lead-time"] ?? current?.lead_time_days ?? null,
        serviceLevelPct: v["service-level"] ?? current?.service_level_pct ?? null,
        alertDays: v["alert-days"] ?? current?.low_stock_days ?? null,
      },
      cli,
    );
    out.say(out.t("cli.poolRestockSet", { lead: plan.leadTimeDays ?? 3, level: plan.serviceLevelPct ?? 95, alert: plan.alertDays === null ? out.t("cli.poolRestockAlertOff") : out.t("cli.poolRestockAlertDays", { count: plan.alertDays }) }));
    out.result({ accountId, poolId: v._0, ...plan });
  },
};
