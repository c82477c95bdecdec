import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { portalOrderLoader } from "../../.server/http/portal/portal-pages.ts";
import type { PageError } from "../../.server/http/pool-pages.ts";
import { formatDateTime, formatMoney, formatNumber } from "../../i18n/i18n.ts";
import { Field } from "../order-ui.tsx";
import { Code, useLocale } from "../pool-ui.tsx";
import { statusTone } from "./portal-orders-page.tsx";
import { portalErrorText } from "./portal-ui.tsx";

type Data = Awaited<ReturnType<typeof portalOrderLoader>>;
type RevealAnswer = { ok: true; keys: { code: string; fields?: Record<string, string> }[] } | { ok: false; error: PageError };

/**
 * One order: its facts, its keys masked, "Reveal keys" (an audited request; the plaintext lives
 * only in this page's memory) and the keys as a CSV or TXT download (audited too).
 */
export function PortalOrderPage({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const reveal = useFetcher<RevealAnswer>();
  const o = data.order;
  const revealed = reveal.data?.ok ? reveal.data.keys : null;
  const keys = revealed ?? o.keys;
  const fieldNames = [...new Set(keys.flatMap((k) => Object.keys(k.fields ?? {})))];
  const download = (format: "csv" | "txt") => window.location.assign(`/portal/orders/${encodeURIComponent(o.id)}/keys?format=${format}`);
  return (
    <Page backAction={{ content: t("portal.nav.orders"), url: "/portal/orders" }} title={t("portal.order.title", { reference: o.reference || o.id.slice(0, 8) })} titleMetadata={<Badge tone={statusTone(o.status)}>{t([`portal.orderStatus.${o.status}`, "portal.orderStatus.other"], { status: o.status })}</Badge>}>
      <BlockStack gap="400">
        {data.placed && o.status !== "in_review" ? <Banner tone="success">{t("portal.order.placed")}</Banner> : null}
        {o.status === "in_review" ? <Banner tone="info">{t("portal.order.inReview")}</Banner> : null}
        {o.status === "denied" ? <Banner tone="critical">{t("portal.order.denied")}</Banner> : null}
        {data.replayed ? <Banner tone="info">{t("portal.order.replayed")}</Banner> : null}
        <Card>
          <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
            <Field label={t("portal.order.id")} value={o.id} />
            <Field label={t("portal.order.date")} value={formatDateTime(locale, o.created_at)} />
            <Field label={t("portal.order.quantity")} value={formatNumber(locale, o.quantity)} />
            <Field label={t("portal.order.total")} value={t("portal.order.totalValue", { total: formatMoney(locale, o.total_minor, o.currency), price: formatMoney(locale, o.unit_price_minor, o.currency) })} />
          </InlineGrid>
        </Card>
        <Card padding="0">
          <BlockStack>
            <div style={{ padding: "var(--p-space-400)" }}>
              <InlineStack align="space-between" blockAlign="center" gap="200">
                <Text as="h2" variant="headingMd">
                  {t("portal.order.keys", { count: o.keys.length })}
                </Text>
                <InlineStack gap="200">
                  <reveal.Form method="post">
                    <input type="hidden" name="csrf" value={data.csrf} />
                    <input type="hidden" name="intent" value="reveal" />
                    <Button submit disabled={Boolean(revealed) || o.keys.length === 0} loading={reveal.state !== "idle"}>
                      {t("portal.order.reveal")}
                    </Button>
                  </reveal.Form>
                  <Button disabled={o.keys.length === 0} onClick={() => download("csv")}>
                    {t("portal.order.downloadCsv")}
                  </Button>
                  <Button disabled={o.keys.length === 0} onClick={() => download("txt")}>
                    {t("portal.order.downloadTxt")}
                  </Button>
                </InlineStack>
              </InlineStack>
            </div>
            {reveal.data && !reveal.data.ok ? (
              <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
                <Banner tone="critical">{portalErrorText(t, reveal.data.error)}</Banner>
              </div>
            ) : null}
            {o.backordered_units > 0 ? (
              <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
                <Banner tone="warning">{t("portal.order.backordered", { count: o.backordered_units })}</Banner>
              </div>
            ) : null}
            {keys.length > 0 ? (
              <DataTable
                columnContentTypes={["text", "text", ...fieldNames.map(() => "text" as const)]}
                headings={["#", t("portal.order.code"), ...fieldNames]}
                rows={keys.map((k, i) => [String(i + 1), <Code key="c">{k.code}</Code>, ...fieldNames.map((f) => k.fields?.[f] ?? "")])}
              />
            ) : null}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}
