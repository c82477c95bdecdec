import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatMoney, formatNumber } from "../i18n/i18n.ts";
import { useLocale } from "./pool-ui.tsx";
import { exampleAmount, minorToInput, useDetailForm, type ResellerDetailData } from "./reseller-detail-ui.tsx";

type PriceRow = ResellerDetailData["prices"][number];

/** Takes one pool off the list, with its own fetcher (so each row shows its own state). */
function RemovePrice({ csrf, row, currency }: { csrf: string; row: PriceRow; currency: string }) {
  const { t } = useTranslation();
  const form = useDetailForm(currency);
  return (
    <form.fetcher.Form method="post">
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="intent" value="price-remove" />
      <input type="hidden" name="poolId" value={row.poolId} />
      <InlineStack gap="200" align="end" blockAlign="center" wrap={false}>
        {form.message ? (
          <Text as="span" tone="critical">
            {form.message}
          </Text>
        ) : null}
        <Button submit size="slim" tone="critical" variant="plain" loading={form.busy} accessibilityLabel={t("resellers.detail.removePriceOne", { pool: row.poolName })}>
          {t("resellers.detail.removePrice")}
        </Button>
      </InlineStack>
    </form.fetcher.Form>
  );
}

/**
 * The pools the reseller may buy and at what price. A price is typed as a decimal in the
 * reseller's currency and stored in its minor units; choosing a listed pool changes its price.
 */
export function ResellerPriceListCard({ data }: { data: ResellerDetailData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { csrf, reseller, prices, pools } = data;
  const currency = reseller.currency;
  const form = useDetailForm(currency);
  const [poolId, setPoolId] = useState(prices.length < pools.length ? (pools.find((p) => !prices.some((x) => x.poolId === p.id))?.id ?? "") : (pools[0]?.id ?? ""));
  const [price, setPrice] = useState("");
  const set = form.succeeded?.intent === "price-set" ? form.succeeded : null;
  useEffect(() => {
    if (set) setPrice("");
  }, [set?.at]); // eslint-disable-line react-hooks/exhaustive-deps
  const listed = (id: string) => prices.find((p) => p.poolId === id);
  const choose = (id: string) => {
    setPoolId(id);
    const row = listed(id);
    setPrice(row?.priceMinor != null ? minorToInput(row.priceMinor, currency) : "");
  };
  const rows = prices.map((p) => [
    <InlineStack key="n" gap="200" blockAlign="center">
      <Text as="span" fontWeight="semibold">
        {p.poolName}
      </Text>
      {p.archived ? <Badge>{t("pools.badges.archived")}</Badge> : null}
    </InlineStack>,
    p.priceMinor !== null ? t("resellers.detail.ownPrice") : t("resellers.detail.discountOff", { percent: formatNumber(locale, (p.discountBps ?? 0) / 100) }),
    p.unitPriceMinor === null ? (
      <Text key="u" as="span" tone="critical">
        {t("resellers.detail.noPrice")}
      </Text>
    ) : (
      formatMoney(locale, p.unitPriceMinor, currency)
    ),
    <RemovePrice key="r" csrf={csrf} row={p} currency={currency} />,
  ]);
  return (
    <Card padding="0">
      <Box padding="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {t("resellers.detail.pricesTitle")}
          </Text>
          <Text as="p" tone="subdued">
            {t("resellers.detail.pricesHelp")}
          </Text>
        </BlockStack>
      </Box>
      {rows.length === 0 ? (
        <Box paddingInline="400" paddingBlockEnd="400">
          <Text as="p" tone="subdued">
            {t("resellers.detail.noPrices")}
          </Text>
        </Box>
      ) : (
        <DataTable columnContentTypes={["text", "text", "numeric", "text"]} headings={[t("resellers.detail.columns.pool"), t("resellers.detail.columns.rule"), t("resellers.detail.columns.unitPrice"), ""]} rows={rows} verticalAlign="middle" />
      )}
      <Box padding="400" borderBlockStartWidth="025" borderColor="border">
        {pools.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("resellers.detail.noPools")}
          </Text>
        ) : (
          <form.fetcher.Form method="post">
            <input type="hidden" name="csrf" value={csrf} />
            <input type="hidden" name="intent" value="price-set" />
            <BlockStack gap="300">
              {set ? <Banner tone="success">{t("resellers.detail.priceSaved")}</Banner> : null}
              <InlineGrid columns={{ xs: 1, md: ["twoThirds", "oneThird"] }} gap="300" alignItems="start">
                <Select
                  label={t("resellers.detail.pool")}
                  name="poolId"
                  options={pools.map((p) => ({ label: listed(p.id) ? t("resellers.detail.poolListed", { pool: p.name }) : p.name, value: p.id }))}
                  value={poolId}
                  onChange={choose}
                  error={form.errorAt("pool", ["pool"])}
                />
                <TextField
                  label={t("resellers.detail.unitPrice", { currency })}
                  name="price"
                  autoComplete="off"
                  inputMode="decimal"
                  value={price}
                  onChange={setPrice}
                  placeholder={exampleAmount(currency)}
                  error={form.errorAt("price", ["price", "pool"], "price")}
                />
              </InlineGrid>
              <InlineStack align="end">
                <Button submit variant="primary" loading={form.busy}>
                  {t("resellers.detail.setPrice")}
                </Button>
              </InlineStack>
            </BlockStack>
          </form.fetcher.Form>
        )}
      </Box>
    </Card>
  );
}
