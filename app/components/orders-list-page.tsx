import { Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, DataTable, InlineGrid, InlineStack, Layout, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher, useNavigate } from "react-router";
import { formatDateTime, formatMoney, formatNumber } from "../i18n/i18n.ts";
import type { OrdersListActionData, ordersListLoader } from "../.server/http/order-pages.ts";
import type { OrderRow } from "../.server/use-cases/search-orders.ts";
import { OrderStatusBadge, orderLabel } from "./order-ui.tsx";
import { errorText, useLocale } from "./pool-ui.tsx";

export type OrdersListData = Awaited<ReturnType<typeof ordersListLoader>>;

/** The channel filter: every order, those resellers bought over the API, those of the stores. */
const CHANNELS = ["all", "reseller", "retail"] as const;

function listUrl(base: string, channel: (typeof CHANNELS)[number], before?: string): string {
  const q = new URLSearchParams();
  if (channel !== "all") q.set("channel", channel);
  if (before) q.set("before", before);
  const qs = q.toString();
  return `${base}/orders${qs ? `?${qs}` : ""}`;
}

function OrdersTable({ orders, base }: { orders: OrderRow[]; base: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const rows = orders.map((o) => [
    <BlockStack key="name" gap="100" inlineAlign="start">
      <Link url={`${base}/orders/${o.id}`} removeUnderline>
        <Text as="span" fontWeight="semibold">
          {o.reseller ? (o.reference ?? o.id.slice(0, 8)) : orderLabel(o)}
        </Text>
      </Link>
      {o.reseller ? <Badge tone="info">{t("resellers.orders.badge", { name: o.reseller.name })}</Badge> : null}
    </BlockStack>,
    formatDateTime(locale, o.placedAt ?? o.createdAt),
    o.email ?? "—",
    o.storeName ?? "—",
    <OrderStatusBadge key="status" status={o.status} />,
    t("orders.list.unitsSummary", { allocated: formatNumber(locale, o.units.allocated ?? 0), backordered: formatNumber(locale, o.units.backordered ?? 0) }),
    o.totalMinor === null ? "—" : o.currency ? formatMoney(locale, o.totalMinor, o.currency) : formatNumber(locale, o.totalMinor / 100),
  ]);
  return (
    <DataTable
      columnContentTypes={["text", "text", "text", "text", "text", "text", "numeric"]}
      headings={[t("orders.columns.order"), t("orders.columns.date"), t("orders.columns.buyer"), t("orders.columns.store"), t("orders.columns.status"), t("orders.columns.keys"), t("orders.columns.total")]}
      rows={rows}
      verticalAlign="middle"
    />
  );
}

/** Every order, newest first; search by order number, buyer email or exact key; re-run by number. */
export function OrdersListPage({ data }: { data: OrdersListData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigate = useNavigate();
  const { base, csrf, page, paged, stores, channel } = data;
  const search = useFetcher<OrdersListActionData>();
  const rerun = useFetcher<OrdersListActionData>();
  const [q, setQ] = useState("");
  const [storeId, setStoreId] = useState(stores[0]?.id ?? "");
  const [orderName, setOrderName] = useState("");

  // A cleared search (empty query) shows the newest orders again.
  const found = search.data?.ok && search.data.intent === "search" && (search.data.result.matchedBy !== null || search.data.query !== "") ? search.data : null;
  const rerunDone = rerun.data?.ok && rerun.data.intent === "rerun" ? rerun.data : null;
  useEffect(() => {
    if (rerun.state === "idle" && rerunDone) navigate(`${base}/orders/${rerunDone.orderId}`);
  }, [rerun.state, rerunDone, base, navigate]);

  const shown = found ? found.result.orders : page.orders;

  return (
    <Page title={t("orders.list.title")} subtitle={t("orders.list.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <Box padding="400" paddingBlockEnd="200">
              <search.Form method="post" autoComplete="off">
                <input type="hidden" name="intent" value="search" />
                <input type="hidden" name="csrf" value={csrf} />
                <BlockStack gap="200">
                  <TextField
                    label={t("orders.search.label")}
                    name="q"
                    value={q}
                    onChange={setQ}
                    autoComplete="off"
                    placeholder={t("orders.search.placeholder")}
                    helpText={t("orders.search.help")}
                    connectedRight={
                      <Button submit loading={search.state !== "idle"} disabled={!q.trim()}>
                        {t("orders.search.submit")}
                      </Button>
                    }
                  />
                  {found ? null : (
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="span" tone="subdued">
                        {t("resellers.orders.filterLabel")}
                      </Text>
                      <ButtonGroup variant="segmented">
                        {CHANNELS.map((c) => (
                          <Button key={c} size="slim" url={listUrl(base, c)} variant={channel === c ? "primary" : "secondary"} pressed={channel === c}>
                            {t(`resellers.orders.${c}`)}
                          </Button>
                        ))}
                      </ButtonGroup>
                    </InlineStack>
                  )}
                  {search.data && !search.data.ok ? <Banner tone="critical">{errorText(t, locale, search.data.error)}</Banner> : null}
                  {found ? (
                    <InlineStack align="space-between" blockAlign="center" gap="200">
                      <Text as="p" tone="subdued">
                        {found.result.orders.length === 0
                          ? t("orders.search.none")
                          : t(`orders.search.matched.${found.result.matchedBy ?? "name"}`, { count: found.result.orders.length, n: formatNumber(locale, found.result.orders.length) })}
                      </Text>
                      <Button
                        variant="plain"
                        onClick={() => {
                          setQ("");
                          search.submit({ intent: "search", q: "", csrf }, { method: "post" });
                        }}
                      >
                        {t("orders.search.clear")}
                      </Button>
                    </InlineStack>
                  ) : null}
                </BlockStack>
              </search.Form>
            </Box>
            {shown.length === 0 ? (
              found ? null : (
                <Box padding="800">
                  <BlockStack gap="200" inlineAlign="center">
                    <Text as="h2" variant="headingMd" alignment="center">
                      {t("orders.list.emptyTitle")}
                    </Text>
                    <Text as="p" tone="subdued" alignment="center">
                      {t("orders.list.emptyBody")}
                    </Text>
                  </BlockStack>
                </Box>
              )
            ) : (
              <OrdersTable orders={shown} base={base} />
            )}
            {found ? null : (
              <Box padding="400">
                <InlineStack align="end">
                  <ButtonGroup>
                    {paged ? <Button url={listUrl(base, channel)}>{t("orders.list.firstPage")}</Button> : null}
                    {page.nextBefore ? <Button url={listUrl(base, channel, page.nextBefore)}>{t("orders.list.nextPage")}</Button> : null}
                  </ButtonGroup>
                </InlineStack>
              </Box>
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <rerun.Form method="post" autoComplete="off">
              <input type="hidden" name="intent" value="rerun" />
              <input type="hidden" name="csrf" value={csrf} />
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("orders.rerun.title")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("orders.rerun.help")}
                </Text>
                {stores.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("dashboard.stores.empty")}
                  </Text>
                ) : (
                  <>
                    <InlineGrid columns={{ xs: 1, md: 3 }} gap="300" alignItems="end">
                      <Select label={t("orders.rerun.store")} name="storeId" options={stores.map((st) => ({ label: st.name, value: st.id }))} value={storeId} onChange={setStoreId} />
                      <TextField label={t("orders.rerun.orderName")} name="orderName" value={orderName} onChange={setOrderName} autoComplete="off" placeholder={t("orders.rerun.placeholder")} />
                      <InlineStack>
                        <Button submit loading={rerun.state !== "idle"} disabled={!orderName.trim()}>
                          {t("orders.rerun.submit")}
                        </Button>
                      </InlineStack>
                    </InlineGrid>
                    {rerun.data && !rerun.data.ok ? <Banner tone="critical">{errorText(t, locale, rerun.data.error)}</Banner> : null}
                  </>
                )}
              </BlockStack>
            </rerun.Form>
          </Card>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
