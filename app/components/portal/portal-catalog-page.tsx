import { Banner, BlockStack, Button, Card, DataTable, FormLayout, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { portalCatalogLoader } from "../../.server/http/portal/portal-pages.ts";
import type { PageError } from "../../.server/http/pool-pages.ts";
import { formatMoney, formatNumber } from "../../i18n/i18n.ts";
import { useLocale } from "../pool-ui.tsx";
import { portalErrorText } from "./portal-ui.tsx";

type Data = Awaited<ReturnType<typeof portalCatalogLoader>>;
type OrderAnswer = { ok: false; error: PageError; nextKey: string };

/**
 * Place an order by hand. The idempotency key came with the page: a double submit sends it
 * twice and the server replays the first order. A refusal brings a fresh key, so correcting the
 * form is a new request, not a replay of the refused one.
 */
function OrderForm({ data }: { data: Data }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<OrderAnswer>();
  const buyable = data.items.filter((i) => i.price_minor !== null);
  const [pool, setPool] = useState(buyable[0]?.id ?? "");
  const [quantity, setQuantity] = useState("1");
  const [reference, setReference] = useState("");
  const [key, setKey] = useState(data.orderKey);
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  useEffect(() => {
    if (failed?.nextKey) setKey(failed.nextKey);
  }, [failed?.nextKey]);
  const errorAt = (f: string) => (failed && failed.error.field === f ? portalErrorText(t, failed.error) : undefined);
  if (buyable.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("portal.catalog.orderTitle")}
        </Text>
        {failed && !["pool", "quantity", "reference"].includes(failed.error.field ?? "") ? <Banner tone="critical">{portalErrorText(t, failed.error)}</Banner> : null}
        <fetcher.Form method="post">
          <input type="hidden" name="csrf" value={data.csrf} />
          <input type="hidden" name="idempotencyKey" value={key} />
          <FormLayout>
            <Select label={t("portal.catalog.pool")} name="pool" options={buyable.map((i) => ({ label: i.name, value: i.id }))} value={pool} onChange={setPool} error={errorAt("pool")} />
            <FormLayout.Group>
              <TextField label={t("portal.catalog.quantity")} name="quantity" type="number" min={1} autoComplete="off" value={quantity} onChange={setQuantity} error={errorAt("quantity")} />
              <TextField label={t("portal.catalog.reference")} name="reference" autoComplete="off" helpText={t("portal.catalog.referenceHelp")} value={reference} onChange={setReference} error={errorAt("reference")} />
            </FormLayout.Group>
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>
              {t("portal.catalog.placeOrder")}
            </Button>
          </FormLayout>
        </fetcher.Form>
      </BlockStack>
    </Card>
  );
}

export function PortalCatalogPage({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const b = data.balance;
  const rows = data.items.map((i) => [
    <Text key="n" as="span" fontWeight="semibold">
      {i.name}
    </Text>,
    i.price_minor === null ? t("portal.catalog.noPrice") : formatMoney(locale, i.price_minor, i.currency),
    formatNumber(locale, i.available),
    i.limits.units_allowed_now === null ? t("portal.catalog.noLimit") : formatNumber(locale, i.limits.units_allowed_now),
  ]);
  return (
    <Page title={t("portal.catalog.title")} subtitle={t("portal.catalog.subtitle", { balance: formatMoney(locale, b.balance_minor, b.currency), available: formatMoney(locale, b.available_minor, b.currency) })}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {rows.length === 0 ? (
              <div style={{ padding: "var(--p-space-400)" }}>
                <Text as="p" tone="subdued">
                  {t("portal.catalog.empty")}
                </Text>
              </div>
            ) : (
              <DataTable columnContentTypes={["text", "numeric", "numeric", "numeric"]} headings={[t("portal.catalog.columns.name"), t("portal.catalog.columns.price"), t("portal.catalog.columns.available"), t("portal.catalog.columns.allowedToday")]} rows={rows} />
            )}
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <OrderForm data={data} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
