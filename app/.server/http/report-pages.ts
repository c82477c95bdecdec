import { data } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { KeyrelayError } from "../domain/errors.ts";
import { daysBetween, type Bucket } from "../domain/report-day.ts";
import { getPoolForecast } from "../use-cases/get-pool-forecast.ts";
import { getDeliveryReport, getMarginReport, getProductReport, getRepurchaseReport, getSalesReport, MARGIN_GROUPS, resolveReportRange, type MarginGroup } from "../use-cases/get-reports.ts";
import { setRestockPlan } from "../use-cases/manage-restock-plan.ts";
import { deliveryCsv, marginCsv, productsCsv, repurchaseCsv, salesCsv } from "../use-cases/report-csv.ts";
import { errorData, notFound, statusOf, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";

/**
 * The Reports page of both surfaces (reports.view: owners, managers, viewers): one GET with the
 * range, bucket, margin grouping and forecast pool in the query string (no secrets in it), the
 * buyers' emails revealed only by POST (audited), and each report as a CSV download.
 */

function bucketFor(q: URLSearchParams, days: number): Bucket {
  const b = q.get("bucket");
  if (b === "day" || b === "week" || b === "month") return b;
  return days <= 31 ? "day" : days <= 183 ? "week" : "month";
}

async function rangeOf(s: PageArgs["context"]["services"], accountId: string, q: URLSearchParams): Promise<{ range: Awaited<ReturnType<typeof resolveReportRange>>; error: PageError | null }> {
  try {
    return { range: await resolveReportRange(s, accountId, { preset: q.get("range"), from: q.get("from"), to: q.get("to") }), error: null };
  } catch (e) {
    if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
    // A bad date in the address: say which field, and show the default range meanwhile.
    const field = "field" in e && typeof e.field === "string" ? e.field : undefined;
    return { range: await resolveReportRange(s, accountId, {}), error: { code: e.code, params: e.params, field } };
  }
}

export async function reportsLoader({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "reports.view");
  const q = new URL(request.url).searchParams;
  const { range, error } = await rangeOf(s, admin.accountId, q);
  const bucket = bucketFor(q, daysBetween(range.from, range.to));
  const marginBy = (MARGIN_GROUPS as readonly string[]).includes(q.get("margin") ?? "") ? (q.get("margin") as MarginGroup) : "pool";
  const input = { from: range.from, to: range.to };
  const [sales, byPool, byStore, byChannel, margin, repurchase, delivery, products, pools] = await Promise.all([
    getSalesReport(s, admin.accountId, { ...input, groupBy: bucket }),
    getSalesReport(s, admin.accountId, { ...input, groupBy: "pool" }),
    getSalesReport(s, admin.accountId, { ...input, groupBy: "store" }),
    getSalesReport(s, admin.accountId, { ...input, groupBy: "channel" }),
    getMarginReport(s, admin.accountId, { ...input, groupBy: marginBy }),
    getRepurchaseReport(s, admin.accountId, input),
    getDeliveryReport(s, admin.accountId, input),
    getProductReport(s, admin.accountId, { ...input, limit: 10 }),
    s.db.selectFrom("pools").select(["id", "name"]).where("account_id", "=", admin.accountId).where("archived_at", "is", null).orderBy("name").execute(),
  ]);
  // The forecast's pool: the one asked for, else the best seller of the range, else the first.
  const asked = q.get("pool");
  // Another account's pool (or a typo) is a 404, as everywhere else, not quietly another pool.
  if (asked && !pools.some((p) => p.id === asked)) throw notFound();
  const best = byPool.currencies.flatMap((c) => c.rows).sort((a, b) => b.units - a.units)[0]?.key;
  const poolId = pools.some((p) => p.id === asked) ? asked : pools.some((p) => p.id === best) ? best : pools[0]?.id;
  const forecast = poolId ? await getPoolForecast(s, admin.accountId, poolId, { days: 30 }) : null;
  const plan = poolId ? await s.db.selectFrom("pools").select(["lead_time_days", "service_level_pct", "low_stock_days"]).where("id", "=", poolId).executeTakeFirst() : undefined;
  return {
    base: admin.base,
    csrf: admin.csrf,
    surface,
    canPlan: admin.can("pools.manage"),
    restockPlan: { leadTimeDays: plan?.lead_time_days ?? null, serviceLevelPct: plan?.service_level_pct ?? null, alertDays: plan?.low_stock_days ?? null },
    error,
    query: { range: range.preset, from: range.from, to: range.to, bucket, margin: marginBy, pool: poolId ?? null },
    today: range.today,
    sales,
    byPool,
    byStore,
    byChannel,
    margin,
    repurchase,
    delivery,
    products,
    pools,
    forecast,
  };
}

export type ReportsActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "reveal"; topBuyers: { buyer: string; orders: number; units: number; firstDay: string; lastDay: string }[] }
  | { ok: true; intent: "restock"; poolId: string };

export async function reportsAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "reports.view");
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    if (form.get("intent") === "restock") {
      await admin.require("pools.manage");
      const poolId = form.get("poolId") ?? "";
      await setRestockPlan(s, admin.accountId, poolId, { leadTimeDays: form.get("leadTimeDays"), serviceLevelPct: form.get("serviceLevelPct"), alertDays: form.get("alertDays") }, { ...admin.actor, ip: context.clientIp ?? null });
      return data<ReportsActionData>({ ok: true, intent: "restock", poolId });
    }
    const r = await getRepurchaseReport(s, admin.accountId, { from: form.get("from") ?? undefined, to: form.get("to") ?? undefined, reveal: true }, { ...admin.actor, ip: context.clientIp ?? null });
    return data<ReportsActionData>({ ok: true, intent: "reveal", topBuyers: r.topBuyers.map((b) => ({ buyer: b.email ?? b.buyer, orders: b.orders, units: b.units, firstDay: b.firstDay, lastDay: b.lastDay })) });
  } catch (e) {
    return errorData(e);
  }
}

export const EXPORTS = ["sales", "pools", "stores", "channels", "margin", "repurchase", "delivery", "products"] as const;

/** GET …/reports/export?report=sales&from=…&to=…[&bucket=…|&margin=…]: a CSV of what the page shows (emails masked), audited. */
export async function reportsExportLoader({ request, context }: PageArgs, surface: Surface): Promise<Response> {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "reports.view");
  const q = new URL(request.url).searchParams;
  const report = q.get("report") ?? "";
  try {
    const range = await resolveReportRange(s, admin.accountId, { preset: q.get("range") ?? "custom", from: q.get("from"), to: q.get("to") });
    const input = { from: range.from, to: range.to };
    let csv: string;
    if (report === "sales") csv = salesCsv(await getSalesReport(s, admin.accountId, { ...input, groupBy: bucketFor(q, daysBetween(range.from, range.to)) }));
    else if (report === "pools") csv = salesCsv(await getSalesReport(s, admin.accountId, { ...input, groupBy: "pool" }));
    else if (report === "stores") csv = salesCsv(await getSalesReport(s, admin.accountId, { ...input, groupBy: "store" }));
    else if (report === "channels") csv = salesCsv(await getSalesReport(s, admin.accountId, { ...input, groupBy: "channel" }));
    else if (report === "margin") csv = marginCsv(await getMarginReport(s, admin.accountId, { ...input, groupBy: q.get("margin") ?? "pool" }));
    else if (report === "products") csv = productsCsv(await getProductReport(s, admin.accountId, { ...input, limit: 100_000 }));
    else if (report === "delivery") csv = deliveryCsv(await getDeliveryReport(s, admin.accountId, input));
    else if (report === "repurchase") csv = repurchaseCsv(await getRepurchaseReport(s, admin.accountId, input));
    else return new Response("report_unknown", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    await recordAudit(s.db, { accountId: admin.accountId, actorType: admin.actor.type, actorId: admin.actor.id ?? null, action: "report.exported", subjectType: "report", subjectId: report, details: input, ip: context.clientIp ?? null });
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="keyrelay-${report}-${range.from}-${range.to}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (e) {
    if (e instanceof KeyrelayError && e.kind === "invalid_input") return new Response(e.code, { status: statusOf(e.code), headers: { "Content-Type": "text/plain; charset=utf-8" } });
    throw e;
  }
}
