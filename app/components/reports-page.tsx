import { Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { lazy, Suspense, useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Form, useFetcher } from "react-router";
import type { ReportsActionData, reportsLoader } from "../.server/http/report-pages.ts";
import type { SalesFigures } from "../.server/domain/report-figures.ts";
import type { SalesReport } from "../.server/use-cases/get-reports.ts";
import { formatMoney, formatNumber, type Locale } from "../i18n/i18n.ts";
import type { ChartSeries } from "./report-charts.tsx";
import { errorText, useHydrated, useLocale } from "./pool-ui.tsx";

export type ReportsData = Awaited<ReturnType<typeof reportsLoader>>;

const ReportChart = lazy(() => import("./report-charts.tsx"));

function Chart(props: { kind: "line" | "bar"; series: ChartSeries[]; formatY: (v: number) => string; formatX?: (k: string) => string; height?: number }) {
  const { t } = useTranslation();
  const hydrated = useHydrated();
  const box = <div style={{ height: props.height ?? 260 }} />;
  if (!hydrated) return box;
  return (
    <Suspense fallback={box}>
      <ReportChart {...props} emptyText={t("reports.empty")} />
    </Suspense>
  );
}

function pct(locale: Locale, x: number | null): string {
  return x === null ? "—" : new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(x);
}

function money(locale: Locale, minor: number, currency: string): string {
  return currency ? formatMoney(locale, minor, currency) : formatNumber(locale, minor);
}

/** Minor units → major (for chart axes, which format the value themselves). */
function major(minor: number, currency: string): number {
  const digits = currency ? (new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2) : 0;
  return minor / 10 ** digits;
}

function Kpi({ label, value, change, locale }: { label: string; value: string; change: number | null; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl">
          {value}
        </Text>
        <Text as="p" variant="bodySm" tone={change === null ? "subdued" : change >= 0 ? "success" : "critical"}>
          {change === null ? t("reports.noComparison") : t("reports.vsPrevious", { change: `${change >= 0 ? "+" : ""}${pct(locale, change)}` })}
        </Text>
      </BlockStack>
    </Card>
  );
}

function ExportButton({ base, report, query }: { base: string; report: string; query: Record<string, string | null> }) {
  const { t } = useTranslation();
  const params = new URLSearchParams({ report, range: "custom", from: query.from ?? "", to: query.to ?? "", ...(query.bucket ? { bucket: query.bucket } : {}), ...(query.margin ? { margin: query.margin } : {}) });
  return (
    <Button url={`${base}/reports/export?${params}`} download variant="plain">
      {t("reports.exportCsv")}
    </Button>
  );
}

/** A report's card: its title, its CSV export, its content. */
function ReportCard({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {action}
        </InlineStack>
        {children}
      </BlockStack>
    </Card>
  );
}

function currencyOf(report: SalesReport, currency: string) {
  return report.currencies.find((c) => c.currency === currency);
}

/** The merchant's data hub: sales, best sellers, margin, channels, refunds, repurchase and the forecast. */
export function ReportsPage({ data }: { data: ReportsData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { base, csrf, canPlan, restockPlan, query, sales, byPool, byStore, byChannel, margin, repurchase, delivery, products, forecast, pools, error } = data;
  const currencies = sales.currencies.map((c) => c.currency);
  const top = [...sales.currencies].sort((a, b) => b.totals.revenueMinor - a.totals.revenueMinor)[0]?.currency ?? "";
  const [currency, setCurrency] = useState(top);
  const [range, setRange] = useState<string>(query.range);
  const [bucket, setBucket] = useState<string>(query.bucket);
  const [forecastPool, setForecastPool] = useState<string>(query.pool ?? "");
  const [from, setFrom] = useState(query.from);
  const [to, setTo] = useState(query.to);
  const reveal = useFetcher<ReportsActionData>();
  const restock = useFetcher<ReportsActionData>();
  const [lead, setLead] = useState(String(restockPlan.leadTimeDays ?? ""));
  const [level, setLevel] = useState(String(restockPlan.serviceLevelPct ?? ""));
  const [alertDays, setAlertDays] = useState(String(restockPlan.alertDays ?? ""));
  const restockError = restock.data && !restock.data.ok ? restock.data.error : null;
  const restockField = (f: string) => (restockError?.field === f ? errorText(t, locale, restockError) : undefined);
  const shown = currencies.includes(currency) ? currency : top;
  const c = currencyOf(sales, shown);
  const totals: SalesFigures | undefined = c?.totals;
  const revealed = reveal.data?.ok && reveal.data.intent === "reveal" ? reveal.data.topBuyers : null;

  const salesSeries: ChartSeries[] = useMemo(() => {
    if (!c) return [];
    return [{ name: t("reports.sales.revenue"), points: c.rows.map((r) => ({ key: r.key, value: major(r.revenueMinor, shown) })) }];
  }, [c, shown, t]);

  const forecastSeries: ChartSeries[] =
    forecast && forecast.forecast.status === "ok"
      ? [
          { name: t("reports.forecast.expected"), points: forecast.points.map((p) => ({ key: p.day, value: p.mean })) },
          { name: t("reports.forecast.high", { share: Math.round(forecast.forecast.intervalShare * 100) }), points: forecast.points.map((p) => ({ key: p.day, value: p.upper })), dashed: true },
          { name: t("reports.forecast.low"), points: forecast.points.map((p) => ({ key: p.day, value: p.lower })), dashed: true },
        ]
      : [];

  const minutes = (secs: number | null) => (secs === null ? 0 : Math.round((secs / 60) * 10) / 10);
  const duration = (secs: number | null) =>
    secs === null ? "—" : secs < 120 ? t("reports.delivery.seconds", { count: secs }) : secs < 7200 ? t("reports.delivery.minutes", { count: Math.round(secs / 60) }) : t("reports.delivery.hours", { count: Math.round(secs / 360) / 10 });
  const deliverySeries: ChartSeries[] = [
    { name: t("reports.delivery.p50"), points: delivery.days.map((d) => ({ key: d.day, value: minutes(d.p50Seconds) })) },
    { name: t("reports.delivery.p95"), points: delivery.days.map((d) => ({ key: d.day, value: minutes(d.p95Seconds) })), dashed: true },
  ];

  const rangeOptions = ["today", "7d", "30d", "90d", "month", "custom"].map((v) => ({ value: v, label: t(`reports.range.${v}`) }));
  const poolRows = currencyOf(byPool, shown)?.rows ?? [];
  const productRows = products.currencies.find((x) => x.currency === shown)?.rows ?? [];
  const storeRows = currencyOf(byStore, shown)?.rows ?? [];
  const channelRows = currencyOf(byChannel, shown)?.rows ?? [];
  const marginCurrency = margin.currencies.find((x) => x.currency === shown);
  const fmt = (m: number) => money(locale, m, shown);
  const n = (x: number) => formatNumber(locale, x);
  const dayLabel = (k: string) => new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(`${k}T00:00:00Z`));

  return (
    <Page title={t("reports.title")} subtitle={t("reports.subtitle", { timeZone: sales.timeZone })}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {error ? <Banner tone="critical">{errorText(t, locale, error)}</Banner> : null}
            {sales.pendingOrders > 0 ? <Banner tone="info">{t("reports.pending", { count: sales.pendingOrders })}</Banner> : null}
            <Card>
              <Form method="get">
                <InlineStack gap="300" blockAlign="end" wrap>
                  <Select label={t("reports.range.label")} name="range" options={rangeOptions} value={range} onChange={setRange} />
                  {range === "custom" ? (
                    <>
                      <TextField label={t("reports.from")} name="from" type="date" value={from} onChange={setFrom} autoComplete="off" error={error?.field === "from" ? errorText(t, locale, error) : undefined} />
                      <TextField label={t("reports.to")} name="to" type="date" value={to} onChange={setTo} autoComplete="off" error={error?.field === "to" ? errorText(t, locale, error) : undefined} />
                    </>
                  ) : null}
                  <Select
                    label={t("reports.bucket.label")}
                    name="bucket"
                    options={["day", "week", "month"].map((v) => ({ value: v, label: t(`reports.bucket.${v}`) }))}
                    value={bucket}
                    onChange={setBucket}
                  />
                  <input type="hidden" name="margin" value={query.margin} />
                  {query.pool ? <input type="hidden" name="pool" value={query.pool} /> : null}
                  <Button submit variant="primary">
                    {t("reports.apply")}
                  </Button>
                  {currencies.length > 1 ? <Select label={t("reports.currency")} options={currencies.map((x) => ({ value: x, label: x || "—" }))} value={shown} onChange={setCurrency} /> : null}
                </InlineStack>
              </Form>
              <Box paddingBlockStart="200">
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("reports.rangeLine", { from: query.from, to: query.to, prevFrom: sales.previous.from, prevTo: sales.previous.to })}
                </Text>
              </Box>
            </Card>

            {totals && c ? (
              <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="300">
                <Kpi label={t("reports.kpi.orders")} value={n(totals.orders)} change={c.change.orders} locale={locale} />
                <Kpi label={t("reports.kpi.keys")} value={n(totals.units)} change={c.change.units} locale={locale} />
                <Kpi label={t("reports.kpi.revenue")} value={fmt(totals.revenueMinor)} change={c.change.revenue} locale={locale} />
                <Kpi label={t("reports.kpi.net")} value={fmt(totals.netMinor)} change={c.change.net} locale={locale} />
              </InlineGrid>
            ) : (
              <Card>
                <Text as="p" tone="subdued">
                  {t("reports.noSales")}
                </Text>
              </Card>
            )}

            <ReportCard title={t("reports.sales.title")} action=<ExportButton base={base} report="sales" query={query} />>
              <Chart kind="line" series={salesSeries} formatY={(v) => (shown ? new Intl.NumberFormat(locale, { style: "currency", currency: shown, notation: "compact" }).format(v) : formatNumber(locale, v))} formatX={query.bucket === "month" ? (k) => k.slice(0, 7) : dayLabel} />
              {c ? (
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("reports.sales.previous", { revenue: fmt(c.previousTotals.revenueMinor), orders: n(c.previousTotals.orders) })}
                </Text>
              ) : null}
            </ReportCard>

            <ReportCard title={t("reports.best.title")} action=<ExportButton base={base} report="pools" query={query} />>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                headings={[t("reports.columns.pool"), t("reports.columns.orders"), t("reports.columns.keys"), t("reports.columns.revenue"), t("reports.columns.share")]}
                rows={poolRows.map((r) => [r.label, n(r.orders), n(r.units), fmt(r.revenueMinor), pct(locale, r.shareOfRevenue)])}
              />
              <InlineStack align="space-between">
                <Text as="h3" variant="headingSm">
                  {t("reports.best.products")}
                </Text>
                <ExportButton base={base} report="products" query={query} />
              </InlineStack>
              <DataTable
                columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric"]}
                headings={[t("reports.columns.product"), t("reports.columns.store"), t("reports.columns.orders"), t("reports.columns.items"), t("reports.columns.revenue"), t("reports.columns.share")]}
                rows={productRows.map((r) => [r.title ?? [r.productId, r.variantId].filter(Boolean).join(" / "), r.storeName || t("reports.channels.api"), n(r.orders), n(r.units), fmt(r.revenueMinor), pct(locale, r.shareOfRevenue)])}
              />
            </ReportCard>

            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("reports.margin.title")}
                  </Text>
                  <InlineStack gap="200" blockAlign="center">
                    <ButtonGroup variant="segmented">
                      {(["pool", "supplier", "batch"] as const).map((g) => (
                        <Button key={g} pressed={query.margin === g} url={`?${new URLSearchParams({ range: query.range, from: query.from, to: query.to, bucket: query.bucket, margin: g, ...(query.pool ? { pool: query.pool } : {}) })}`}>
                          {t(`reports.margin.by.${g}`)}
                        </Button>
                      ))}
                    </ButtonGroup>
                    <ExportButton base={base} report="margin" query={query} />
                  </InlineStack>
                </InlineStack>
                {marginCurrency ? (
                  <>
                    <DataTable
                      columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                      headings={[t(`reports.margin.by.${query.margin}`), t("reports.columns.net"), t("reports.columns.cost"), t("reports.columns.margin"), t("reports.columns.marginPct"), t("reports.columns.noCost")]}
                      rows={marginCurrency.rows.map((r) => [r.label || t("reports.margin.noKey"), fmt(r.netMinor), fmt(r.costMinor), fmt(r.marginMinor), pct(locale, r.marginPct), r.costUnknownUnits > 0 ? <Badge tone="warning">{n(r.costUnknownUnits)}</Badge> : "0"])}
                      totals={["", fmt(marginCurrency.totals.netMinor), fmt(marginCurrency.totals.costMinor), fmt(marginCurrency.totals.marginMinor), pct(locale, marginCurrency.totals.marginPct), n(marginCurrency.totals.costUnknownUnits)]}
                      showTotalsInFooter
                    />
                    {marginCurrency.totals.costUnknownUnits > 0 ? (
                      <Text as="p" variant="bodySm" tone="caution">
                        {t("reports.margin.unknownNote", { count: marginCurrency.totals.costUnknownUnits })}
                      </Text>
                    ) : null}
                  </>
                ) : (
                  <Text as="p" tone="subdued">
                    {t("reports.noSales")}
                  </Text>
                )}
              </BlockStack>
            </Card>

            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <ReportCard title={t("reports.channels.stores")} action=<ExportButton base={base} report="stores" query={query} />>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                  headings={[t("reports.columns.store"), t("reports.columns.orders"), t("reports.columns.revenue"), t("reports.columns.share")]}
                  rows={storeRows.map((r) => [r.key === "" ? t("reports.channels.api") : `${r.label} · ${t(`reports.platform.${r.platform ?? "api"}`, { defaultValue: r.platform })}`, n(r.orders), fmt(r.revenueMinor), pct(locale, r.shareOfRevenue)])}
                />
              </ReportCard>
              <ReportCard title={t("reports.channels.title")} action=<ExportButton base={base} report="channels" query={query} />>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                  headings={[t("reports.columns.channel"), t("reports.columns.orders"), t("reports.columns.revenue"), t("reports.columns.share")]}
                  rows={channelRows.map((r) => [r.key === "retail" ? t("reports.channels.retail") : t("reports.channels.reseller", { name: r.label }), n(r.orders), fmt(r.revenueMinor), pct(locale, r.shareOfRevenue)])}
                />
              </ReportCard>
            </InlineGrid>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("reports.refunds.title")}
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                  headings={[t("reports.columns.pool"), t("reports.columns.refundedKeys"), t("reports.columns.refundRate"), t("reports.columns.refunded"), t("reports.columns.revoked")]}
                  rows={poolRows.map((r) => [r.label, n(r.refundedUnits), pct(locale, r.refundRate), fmt(r.refundedMinor), n(r.revokedUnits)])}
                />
                {totals ? (
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("reports.refunds.delivery", { delivered: n(totals.deliveredUnits), waiting: n(totals.backorderedUnits) })}
                  </Text>
                ) : null}
              </BlockStack>
            </Card>

            <ReportCard title={t("reports.delivery.title")} action=<ExportButton base={base} report="delivery" query={query} />>
              <Text as="p">
                {t("reports.delivery.summary", { orders: n(delivery.totals.orders), p50: duration(delivery.totals.p50Seconds), p95: duration(delivery.totals.p95Seconds) })}
              </Text>
              <Text as="p" tone="subdued">
                {t("reports.delivery.backorders", { opened: n(delivery.totals.backordersOpened), filled: n(delivery.totals.backordersFilled), wait: duration(delivery.totals.meanWaitSeconds) })}
              </Text>
              <Chart kind="line" series={deliverySeries} formatY={(v) => t("reports.delivery.axisMinutes", { value: formatNumber(locale, v) })} formatX={dayLabel} height={200} />
            </ReportCard>

            <ReportCard title={t("reports.repurchase.title")} action=<ExportButton base={base} report="repurchase" query={query} />>
              <Text as="p">{t("reports.repurchase.summary", { buyers: n(repurchase.buyers), repeat: n(repurchase.repeatBuyers), share: pct(locale, repurchase.repeatShare) })}</Text>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                headings={[t("reports.columns.pool"), t("reports.columns.buyers"), t("reports.columns.repeatBuyers"), t("reports.columns.cycle")]}
                rows={repurchase.pools.map((p) => [p.label, n(p.buyers), n(p.repeatBuyers), p.medianDaysBetween === null ? "—" : t("reports.repurchase.days", { count: p.medianDaysBetween })])}
              />
              {repurchase.topBuyers.length > 0 ? (
                <BlockStack gap="200">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h3" variant="headingSm">
                      {t("reports.repurchase.top")}
                    </Text>
                    {revealed ? null : (
                      <reveal.Form method="post">
                        <input type="hidden" name="csrf" value={csrf} />
                        <input type="hidden" name="from" value={query.from} />
                        <input type="hidden" name="to" value={query.to} />
                        <Button submit variant="plain" loading={reveal.state !== "idle"}>
                          {t("reports.repurchase.reveal")}
                        </Button>
                      </reveal.Form>
                    )}
                  </InlineStack>
                  <DataTable
                    columnContentTypes={["text", "numeric", "numeric", "text"]}
                    headings={[t("reports.columns.buyer"), t("reports.columns.orders"), t("reports.columns.keys"), t("reports.columns.period")]}
                    rows={(revealed ?? repurchase.topBuyers).map((b) => [b.buyer, n(b.orders), n(b.units), `${b.firstDay} – ${b.lastDay}`])}
                  />
                </BlockStack>
              ) : null}
            </ReportCard>

            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="end">
                  <Text as="h2" variant="headingMd">
                    {t("reports.forecast.title")}
                  </Text>
                  {pools.length > 0 ? (
                    <Form method="get">
                      <input type="hidden" name="range" value={query.range} />
                      <input type="hidden" name="from" value={query.from} />
                      <input type="hidden" name="to" value={query.to} />
                      <InlineStack gap="200" blockAlign="end">
                        <Select label={t("reports.forecast.pool")} name="pool" options={pools.map((p) => ({ value: p.id, label: p.name }))} value={forecastPool} onChange={setForecastPool} />
                        <Button submit>{t("reports.forecast.show")}</Button>
                      </InlineStack>
                    </Form>
                  ) : null}
                </InlineStack>
                {!forecast ? (
                  <Text as="p" tone="subdued">
                    {t("reports.forecast.noPools")}
                  </Text>
                ) : forecast.forecast.status === "insufficient_history" ? (
                  <Banner tone="info">
                    {t("reports.forecast.insufficient", { pool: forecast.poolName, days: forecast.forecast.historyDays, selling: forecast.forecast.sellingDays, neededDays: forecast.forecast.neededDays, neededSelling: forecast.forecast.neededSellingDays })}
                  </Banner>
                ) : (
                  <BlockStack gap="300">
                    <InlineGrid columns={{ xs: 1, sm: 3 }} gap="300">
                      <Box>
                        <Text as="p" variant="headingLg">
                          {forecast.available === 0 ? t("reports.forecast.outOfStock") : forecast.plan?.daysOfCover === null ? t("reports.forecast.coverBeyond", { days: forecast.days }) : t("reports.forecast.cover", { count: forecast.plan?.daysOfCover ?? 0 })}
                        </Text>
                        <Text as="p" tone="subdued">
                          {t("reports.forecast.available", { count: forecast.available })}
                        </Text>
                      </Box>
                      <Box>
                        <Text as="p" variant="headingLg">
                          {n(forecast.plan?.reorderPoint ?? 0)}
                        </Text>
                        <Text as="p" tone="subdued">
                          {t("reports.forecast.reorderPoint", { lead: forecast.leadTimeDays, level: forecast.serviceLevelPct })}
                        </Text>
                      </Box>
                      <Box>
                        <Text as="p" variant="headingLg">
                          {n(forecast.plan?.suggestedOrderQuantity ?? 0)}
                        </Text>
                        <Text as="p" tone="subdued">
                          {t("reports.forecast.suggested", { days: forecast.days })}
                        </Text>
                      </Box>
                    </InlineGrid>
                    {forecast.plan?.reorderNow ? <Banner tone="warning">{t("reports.forecast.reorderNow", { pool: forecast.poolName })}</Banner> : null}
                    <Chart kind="line" series={forecastSeries} formatY={(v) => formatNumber(locale, Math.round(v * 10) / 10)} formatX={dayLabel} />
                    {canPlan && forecast ? (
                      <restock.Form method="post">
                        <input type="hidden" name="csrf" value={csrf} />
                        <input type="hidden" name="intent" value="restock" />
                        <input type="hidden" name="poolId" value={forecast.poolId} />
                        <InlineStack gap="300" blockAlign="end" wrap>
                          <TextField label={t("reports.plan.leadTime")} name="leadTimeDays" type="number" value={lead} onChange={setLead} placeholder="3" autoComplete="off" error={restockField("leadTimeDays")} />
                          <TextField label={t("reports.plan.serviceLevel")} name="serviceLevelPct" type="number" value={level} onChange={setLevel} placeholder="95" autoComplete="off" error={restockField("serviceLevelPct")} />
                          <TextField label={t("reports.plan.alertDays")} name="alertDays" type="number" value={alertDays} onChange={setAlertDays} placeholder={t("reports.plan.off")} helpText={t("reports.plan.alertHelp")} autoComplete="off" error={restockField("alertDays")} />
                          <Button submit loading={restock.state !== "idle"}>
                            {t("reports.plan.save")}
                          </Button>
                          {restock.data?.ok ? <Badge tone="success">{t("reports.plan.saved")}</Badge> : null}
                        </InlineStack>
                      </restock.Form>
                    ) : null}
                    <Text as="p" variant="bodySm" tone="subdued">
                      {t("reports.forecast.method", { method: t(`reports.forecast.methods.${forecast.forecast.method}`), mase: forecast.forecast.backtestMase, from: forecast.historyFrom, to: forecast.historyTo })}
                    </Text>
                  </BlockStack>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
