import { BlockStack, Box, Button, Card, DataTable, Link, Page, Tabs, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { formatNumber } from "../i18n/i18n.ts";
import type { PoolSummary } from "../.server/use-cases/manage-pools.ts";
import { StockBadge, useLocale } from "./pool-ui.tsx";

export interface PoolsListData {
  base: string;
  pools: PoolSummary[];
  showArchived: boolean;
  /** The role may create pools (the button is hidden otherwise). */
  canCreate: boolean;
}

/** Every pool of the account with its stock: the standalone admin's and the embedded app's. */
export function PoolsListPage({ data }: { data: PoolsListData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { base, pools, showArchived, canCreate } = data;
  const tabs = [
    { id: "active", content: t("pools.list.active"), url: `${base}/pools` },
    { id: "archived", content: t("pools.list.archived"), url: `${base}/pools?archived=1` },
  ];
  const n = (v: number) => formatNumber(locale, v);

  const rows = pools.map((p) => [
    <Link key="name" url={`${base}/pools/${p.id}`} removeUnderline>
      <Text as="span" fontWeight="semibold">
        {p.name}
      </Text>
    </Link>,
    p.sku ?? "",
    n(p.counts.available),
    n(p.counts.allocated),
    n(p.counts.delivered),
    n(p.counts.expired),
    <StockBadge key="status" pool={p} />,
  ]);

  return (
    <Page title={t("pools.list.title")} subtitle={t("pools.list.subtitle")} primaryAction={canCreate ? { content: t("pools.list.create"), url: `${base}/pools/new` } : undefined}>
      <BlockStack gap="400">
        <Card padding="0">
          <Tabs tabs={tabs} selected={showArchived ? 1 : 0} onSelect={() => {}} />
          {pools.length === 0 ? (
            <Box padding="800">
              <BlockStack gap="300" inlineAlign="center">
                <Text as="h2" variant="headingMd" alignment="center">
                  {showArchived ? t("pools.list.emptyArchivedTitle") : t("pools.list.emptyTitle")}
                </Text>
                <Text as="p" tone="subdued" alignment="center">
                  {showArchived ? t("pools.list.emptyArchivedBody") : t("pools.list.emptyBody")}
                </Text>
                {showArchived || !canCreate ? null : (
                  <Button variant="primary" url={`${base}/pools/new`}>
                    {t("pools.list.create")}
                  </Button>
                )}
              </BlockStack>
            </Box>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "text"]}
              headings={[
                t("pools.columns.name"),
                t("pools.columns.sku"),
                t("pools.columns.available"),
                t("pools.columns.allocated"),
                t("pools.columns.delivered"),
                t("pools.columns.expired"),
                t("pools.columns.status"),
              ]}
              rows={rows}
              verticalAlign="middle"
            />
          )}
        </Card>
        <Box paddingBlockEnd="800" />
      </BlockStack>
    </Page>
  );
}
