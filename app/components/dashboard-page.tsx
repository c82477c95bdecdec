import { Badge, Banner, BlockStack, Box, Card, InlineGrid, InlineStack, Layout, Link, Page, ProgressBar, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { useLocation } from "react-router";
import { formatDateTime, formatNumber, type Locale } from "../i18n/i18n.ts";
import type { DashboardData } from "../.server/use-cases/get-dashboard.ts";

function Stat({ label, value, locale }: { label: string; value: number; locale: Locale }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          {formatNumber(locale, value)}
        </Text>
      </BlockStack>
    </Card>
  );
}

function SetupStep({ label, done, url }: { label: string; done: boolean; url?: string }) {
  const { t } = useTranslation();
  return (
    <InlineStack align="space-between" blockAlign="center" wrap={false} gap="200">
      {url && !done ? <Link url={url}>{label}</Link> : <Text as="span">{label}</Text>}
      {done ? <Badge tone="success">{t("dashboard.setup.done")}</Badge> : <Badge>{t("dashboard.setup.todo")}</Badge>}
    </InlineStack>
  );
}

/** The dashboard, shared by the standalone admin and the page embedded in Shopify. */
/** A store's stock sync at a glance: how many mappings are synced, failing or broken, and store-wide warnings. */
function StockSyncLine({ sync }: { sync: DashboardData["stockSync"][number] | undefined }) {
  const { t } = useTranslation();
  if (!sync || sync.mappings === 0) return null;
  const trouble = sync.failing + sync.broken > 0 || sync.attention === "manage_stock_off";
  return (
    <Text as="span" variant="bodySm" tone={trouble ? "critical" : "subdued"}>
      {t("dashboard.stores.stockSync", { synced: sync.synced, count: sync.mappings })}
      {sync.failing ? ` · ${t("dashboard.stores.stockFailing", { count: sync.failing })}` : ""}
      {sync.broken ? ` · ${t("dashboard.stores.stockBroken", { count: sync.broken })}` : ""}
      {sync.attention === "manage_stock_off" ? ` · ${t("dashboard.stores.manageStockOff")}` : ""}
    </Text>
  );
}

const BACKUP_TONE = { ok: "success", failed: "critical", overdue: "warning", pending: "info", off: undefined } as const;

/** The installation's last backup: when, and whether it worked (README, "Backups"). */
function BackupCard({ backup, locale }: { backup: DashboardData["backup"]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t("dashboard.backup.title")}
          </Text>
          <Badge tone={BACKUP_TONE[backup.state]}>{t(`dashboard.backup.state.${backup.state}`)}</Badge>
        </InlineStack>
        {backup.lastAt ? <Text as="p">{t("dashboard.backup.last", { at: formatDateTime(locale, backup.lastAt) })}</Text> : null}
        {backup.state === "failed" ? (
          <Text as="p" tone="critical">
            {t(`dashboard.backup.error.${backup.errorCode}`, { defaultValue: t("dashboard.backup.error.other", { code: backup.errorCode }) })}
          </Text>
        ) : null}
        {backup.state === "failed" && backup.lastOkAt ? <Text as="p">{t("dashboard.backup.lastOk", { at: formatDateTime(locale, backup.lastOkAt) })}</Text> : null}
        <Text as="p" tone="subdued" variant="bodySm">
          {backup.intervalHours ? t("dashboard.backup.schedule", { count: backup.intervalHours }) : t("dashboard.backup.noSchedule")}
        </Text>
      </BlockStack>
    </Card>
  );
}

export function DashboardPage({ data, locale }: { data: DashboardData; locale: Locale }) {
  const { t } = useTranslation();
  // The same page serves the standalone admin and the one embedded in Shopify.
  const base = useLocation().pathname.startsWith("/app") ? "/app" : "/admin";
  const poolsUrl = `${base}/pools`;
  const steps = [data.setup.storeConnected, data.setup.poolCreated, data.setup.keysImported];
  const doneCount = steps.filter(Boolean).length;
  return (
    <Page title={t("dashboard.title")} subtitle={t("dashboard.subtitle", { account: data.accountName })}>
      <Layout>
        {data.heldForReview > 0 ? (
          <Layout.Section>
            <Banner
              tone="warning"
              title={t("risk.dashboard.waiting", { count: data.heldForReview, n: formatNumber(locale, data.heldForReview) })}
              action={{ content: t("risk.dashboard.open"), url: `${base}/risk/reviews` }}
            >
              <p>{t("risk.dashboard.waitingBody")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {data.pools.lowStock > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={t("dashboard.lowStockBanner.title", { count: data.pools.lowStock })} action={{ content: t("dashboard.lowStockBanner.action"), url: poolsUrl }}>
              <p>{t("dashboard.lowStockBanner.body")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {doneCount < 3 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.setup.title")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("dashboard.setup.description")}
                </Text>
                <ProgressBar progress={(doneCount / 3) * 100} size="small" tone="primary" />
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("dashboard.setup.progress", { count: doneCount })}
                </Text>
                <SetupStep label={t("dashboard.setup.connectStore")} done={data.setup.storeConnected} url={`${base}/stores`} />
                <SetupStep label={t("dashboard.setup.createPool")} done={data.setup.poolCreated} url={`${base}/pools/new`} />
                <SetupStep label={t("dashboard.setup.importKeys")} done={data.setup.keysImported} />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
            <Stat label={t("dashboard.stats.available")} value={data.keys.available} locale={locale} />
            <Stat label={t("dashboard.stats.allocated")} value={data.keys.allocated} locale={locale} />
            <Stat label={t("dashboard.stats.delivered")} value={data.keys.delivered} locale={locale} />
            <Stat label={t("dashboard.stats.orders24h")} value={data.ordersLast24h} locale={locale} />
            <Stat label={t("dashboard.stats.pools")} value={data.pools.total} locale={locale} />
            <Stat label={t("dashboard.stats.lowStock")} value={data.pools.lowStock} locale={locale} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("dashboard.stores.title")}
              </Text>
              {data.stores.length === 0 ? (
                <BlockStack gap="100">
                  <Text as="p" fontWeight="semibold">
                    {t("dashboard.stores.empty")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("dashboard.stores.emptyHint")}
                  </Text>
                </BlockStack>
              ) : (
                data.stores.map((st) => (
                  <InlineStack key={st.id} align="space-between" blockAlign="center">
                    <BlockStack gap="050">
                      <Text as="span" fontWeight="semibold">
                        {st.name}
                      </Text>
                      <Text as="span" tone="subdued" variant="bodySm">
                        {t(`dashboard.stores.platform.${st.platform}`)}
                      </Text>
                      <StockSyncLine sync={data.stockSync.find((x) => x.storeId === st.id)} />
                    </BlockStack>
                    <Badge tone={st.status === "active" ? "success" : "warning"}>{t(`dashboard.stores.status.${st.status}`)}</Badge>
                  </InlineStack>
                ))
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("dashboard.jobs.title")}
              </Text>
              <Text as="p">{t("dashboard.jobs.summary", { count: data.jobs.pending })}</Text>
              {data.jobs.failed > 0 ? (
                <Badge tone="critical">{t("dashboard.jobs.failed", { count: data.jobs.failed })}</Badge>
              ) : (
                <Text as="p" tone="success">
                  {t("dashboard.jobs.healthy")}
                </Text>
              )}
              <Text as="p" tone="subdued" variant="bodySm">
                {t(`dashboard.jobs.engine.${data.jobs.engine}`)}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <BackupCard backup={data.backup} locale={locale} />
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
