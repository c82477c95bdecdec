import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, Layout, Link, Modal, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Form, useFetcher } from "react-router";
import { formatDateTime, formatNumber } from "../i18n/i18n.ts";
import type { StoreProductsActionData, storeProductsLoader } from "../.server/http/mapping-pages.ts";
import { errorText, useLocale } from "./pool-ui.tsx";
import { StockLocationCard } from "./stock-location-card.tsx";

export type StoreProductsData = Awaited<ReturnType<typeof storeProductsLoader>>;
type Product = StoreProductsData["products"][number];
type Mapping = StoreProductsData["mappings"][number];

const STATUS_TONES: Record<Mapping["status"], "success" | "critical" | "attention"> = { active: "success", broken: "critical", paused: "attention" };

function itemTitle(p: { title: string | null; variantTitle?: string | null }, fallback: string): string {
  return [p.title || fallback, p.variantTitle].filter(Boolean).join(" — ");
}

/** A store's products and variants, and which pool each sells keys from. */
export function StoreProductsPage({ data }: { data: StoreProductsData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { base, csrf, store, query, products, hostError, stockLocation, pools, mappings, allowed } = data;
  const mapFetcher = useFetcher<StoreProductsActionData>();
  const unmapFetcher = useFetcher<StoreProductsActionData>();
  const syncFetcher = useFetcher<StoreProductsActionData>();
  const [q, setQ] = useState(query);
  const [target, setTarget] = useState<Product | null>(null);
  const livePools = pools.filter((p) => !p.archived);
  const [poolId, setPoolId] = useState(livePools[0]?.id ?? "");
  const [units, setUnits] = useState("1");
  const poolName = (id: string) => pools.find((p) => p.id === id)?.name ?? id.slice(0, 8);

  // Closed as soon as the save's answer is in: the list's reload after it (the fetcher's
  // "loading" state) need not finish first, and a reload overtaken by another must not leave the
  // dialog open (a CI run saw the new mapping listed behind a dialog that stayed open).
  useEffect(() => {
    if (mapFetcher.data?.ok) setTarget(null);
  }, [mapFetcher.data]);

  const mappingOf = (p: Product) => mappings.find((m) => m.productId === p.productId && m.variantId === p.variantId);
  const open = (p: Product) => {
    const existing = mappingOf(p);
    setPoolId(existing && livePools.some((x) => x.id === existing.poolId) ? existing.poolId : (livePools[0]?.id ?? ""));
    setUnits(String(existing?.unitsPerItem ?? 1));
    setTarget(p);
  };

  const productRows = products.map((p) => {
    const existing = mappingOf(p);
    return [
      <BlockStack key="title" gap="050">
        <Text as="span" fontWeight="semibold">
          {itemTitle(p, t("mapping.untitled"))}
        </Text>
        <Text as="span" variant="bodySm" tone="subdued">
          {p.variantId ? t("mapping.variantIds", { product: p.productId, variant: p.variantId }) : t("mapping.productId", { product: p.productId })}
        </Text>
      </BlockStack>,
      p.sku ?? "",
      existing ? <Badge key="mapped" tone="success">{t("mapping.mappedTo", { pool: poolName(existing.poolId) })}</Badge> : <Text key="unmapped" as="span" tone="subdued">{t("mapping.unmapped")}</Text>,
      allowed.map ? (
        <Button key="map" size="slim" onClick={() => open(p)} disabled={livePools.length === 0}>
          {existing ? t("mapping.change") : t("mapping.map")}
        </Button>
      ) : null,
    ];
  });

  const mappingRows = mappings.map((m) => [
    <BlockStack key="title" gap="050">
      <Text as="span" fontWeight="semibold">
        {m.title || t("mapping.untitled")}
      </Text>
      <Text as="span" variant="bodySm" tone="subdued">
        {m.variantId ? t("mapping.variantIds", { product: m.productId, variant: m.variantId }) : t("mapping.wholeProduct", { product: m.productId })}
      </Text>
    </BlockStack>,
    <Link key="pool" url={`${base}/pools/${m.poolId}`}>
      {poolName(m.poolId)}
    </Link>,
    formatNumber(locale, m.unitsPerItem),
    <Badge key="status" tone={STATUS_TONES[m.status]}>
      {t(`mapping.status.${m.status}`)}
    </Badge>,
    <BlockStack key="sync" gap="050">
      <Text as="span" variant="bodySm">
        {!m.syncStock ? t("mapping.syncOff") : m.lastSyncedAt ? t("mapping.synced", { n: formatNumber(locale, m.lastSyncedQuantity ?? 0), at: formatDateTime(locale, m.lastSyncedAt) }) : t("mapping.notSynced")}
      </Text>
      {m.lastSyncError ? (
        <Text as="span" variant="bodySm" tone="critical">
          {m.lastSyncError}
        </Text>
      ) : null}
      {m.trackingEnabledAt ? (
        <Text as="span" variant="bodySm" tone="caution">
          {t("mapping.trackingEnabled", { at: formatDateTime(locale, m.trackingEnabledAt) })}
        </Text>
      ) : null}
      {allowed.map && m.syncStock && m.status !== "paused" ? (
        <Box>
          <Button
            size="slim"
            variant="plain"
            loading={syncFetcher.state !== "idle" && syncFetcher.formData?.get("mappingId") === m.id}
            onClick={() => syncFetcher.submit({ intent: "sync", mappingId: m.id, csrf }, { method: "post" })}
          >
            {syncFetcher.data?.ok && syncFetcher.data.intent === "sync" && syncFetcher.data.mappingId === m.id ? t("mapping.syncQueued") : t("mapping.syncNow")}
          </Button>
        </Box>
      ) : null}
    </BlockStack>,
    allowed.map ? (
      <Button
        key="remove"
        size="slim"
        tone="critical"
        variant="plain"
        loading={unmapFetcher.state !== "idle" && unmapFetcher.formData?.get("mappingId") === m.id}
        onClick={() => unmapFetcher.submit({ intent: "unmap", mappingId: m.id, csrf }, { method: "post" })}
      >
        {t("mapping.remove")}
      </Button>
    ) : null,
  ]);

  const mapError = mapFetcher.data && !mapFetcher.data.ok ? mapFetcher.data.error : null;

  return (
    <Page title={t("mapping.title", { store: store.name })} subtitle={store.domain} backAction={{ content: t("stores.title"), url: `${base}/stores` }}>
      <Layout>
        {livePools.length === 0 ? (
          <Layout.Section>
            <Banner tone="warning" action={allowed.createPool ? { content: t("pools.list.create"), url: `${base}/pools/new` } : undefined}>
              {t("mapping.noPools")}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            <Box padding="400" paddingBlockEnd="200">
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("mapping.mappingsTitle")}
                </Text>
                {unmapFetcher.data && !unmapFetcher.data.ok ? <Banner tone="critical">{errorText(t, locale, unmapFetcher.data.error)}</Banner> : null}
                {syncFetcher.data && !syncFetcher.data.ok ? <Banner tone="critical">{errorText(t, locale, syncFetcher.data.error)}</Banner> : null}
              </BlockStack>
            </Box>
            {mappings.length === 0 ? (
              <Box padding="400" paddingBlockStart="0">
                <Text as="p" tone="subdued">
                  {t("mapping.noMappings")}
                </Text>
              </Box>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "text", "text", "text"]}
                headings={[t("mapping.columns.item"), t("mapping.columns.pool"), t("mapping.columns.units"), t("mapping.columns.status"), t("mapping.columns.sync"), ""]}
                rows={mappingRows}
                verticalAlign="middle"
              />
            )}
          </Card>
        </Layout.Section>
        {stockLocation ? (
          <Layout.Section>
            <StockLocationCard section={stockLocation} csrf={csrf} canChange={allowed.location} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            <Box padding="400" paddingBlockEnd="200">
              <Form method="get">
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("mapping.searchTitle")}
                  </Text>
                  <TextField
                    label={t("mapping.search")}
                    labelHidden
                    name="q"
                    value={q}
                    onChange={setQ}
                    autoComplete="off"
                    placeholder={t("mapping.searchPlaceholder")}
                    connectedRight={<Button submit>{t("mapping.searchSubmit")}</Button>}
                  />
                  {hostError ? (
                    <Banner tone="critical" title={t("mapping.hostErrorTitle")}>
                      <p>{t([`errors.${hostError.code}`, "mapping.hostError"], hostError.params)}</p>
                    </Banner>
                  ) : null}
                </BlockStack>
              </Form>
            </Box>
            {products.length === 0 ? (
              hostError ? null : (
                <Box padding="400" paddingBlockStart="0">
                  <Text as="p" tone="subdued">
                    {query ? t("mapping.noResults", { q: query }) : t("mapping.noProducts")}
                  </Text>
                </Box>
              )
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "text"]}
                headings={[t("mapping.columns.product"), t("mapping.columns.sku"), t("mapping.columns.mapping"), ""]}
                rows={productRows}
                verticalAlign="middle"
              />
            )}
          </Card>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />

      <Modal
        open={target !== null}
        onClose={() => setTarget(null)}
        title={target ? t("mapping.modalTitle", { item: itemTitle(target, t("mapping.untitled")) }) : ""}
        primaryAction={{
          content: t("mapping.save"),
          loading: mapFetcher.state !== "idle",
          disabled: !poolId,
          onAction: () =>
            target &&
            mapFetcher.submit(
              { intent: "map", productId: target.productId, variantId: target.variantId ?? "", title: itemTitle(target, ""), poolId, unitsPerItem: units, csrf },
              { method: "post" },
            ),
        }}
        secondaryActions={[{ content: t("pools.form.cancel"), onAction: () => setTarget(null) }]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            {mapError && mapError.field !== "unitsPerItem" ? <Banner tone="critical">{errorText(t, locale, mapError)}</Banner> : null}
            {target ? (
              <Text as="p" tone="subdued">
                {target.variantId ? t("mapping.variantOnly") : t("mapping.wholeProductHelp")}
              </Text>
            ) : null}
            <Select
              label={t("mapping.pool")}
              options={pools.map((p) => ({ label: p.archived ? t("mapping.poolArchived", { name: p.name }) : t("mapping.poolOption", { name: p.name, n: formatNumber(locale, p.available) }), value: p.id }))}
              value={poolId}
              onChange={setPoolId}
            />
            <TextField
              label={t("mapping.units")}
              type="number"
              min={1}
              value={units}
              onChange={setUnits}
              autoComplete="off"
              helpText={t("mapping.unitsHelp")}
              error={mapError?.field === "unitsPerItem" ? errorText(t, locale, mapError) : undefined}
            />
          </BlockStack>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
