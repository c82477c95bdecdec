import { Badge, Box, Button, ButtonGroup, Card, DataTable, InlineStack, Link, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime, formatMoney, formatNumber } from "../i18n/i18n.ts";
import { OrderStatusBadge } from "./order-ui.tsx";
import { useLocale } from "./pool-ui.tsx";
import type { ResellerDetailData } from "./reseller-detail-ui.tsx";

/** The reseller's orders and its ledger, newest first, a page at a time (keyset cursors in the URL). */

const KIND_TONES: Record<string, "success" | "info" | "attention" | undefined> = { topup: "success", credit: "info", adjustment: "attention", debit: undefined };

/** An order of the reseller: its reference when it gave one, else the start of its id. */
const orderLabel = (o: { id: string; reference: string | null }) => o.reference ?? o.id.slice(0, 8);

function Section({ title, empty, children, first, next }: { title: string; empty: string | null; children: ReactNode; first: string | null; next: string | null }) {
  const { t } = useTranslation();
  return (
    <Card padding="0">
      <Box padding="400">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
      </Box>
      {empty ? (
        <Box paddingInline="400" paddingBlockEnd="400">
          <Text as="p" tone="subdued">
            {empty}
          </Text>
        </Box>
      ) : (
        children
      )}
      {first || next ? (
        <Box padding="400">
          <InlineStack align="end">
            <ButtonGroup>
              {first ? <Button url={first}>{t("orders.list.firstPage")}</Button> : null}
              {next ? <Button url={next}>{t("orders.list.nextPage")}</Button> : null}
            </ButtonGroup>
          </InlineStack>
        </Box>
      ) : null}
    </Card>
  );
}

/** The page's URL with one list moved on (or back to its start) and the other list where it is. */
function pageUrl(data: ResellerDetailData, which: "ledgerBefore" | "ordersBefore", value: string | null): string {
  const q = new URLSearchParams();
  for (const k of ["ledgerBefore", "ordersBefore"] as const) {
    const v = k === which ? value : data.cursors[k];
    if (v) q.set(k, v);
  }
  const qs = q.toString();
  return `${data.base}/resellers/${data.reseller.id}${qs ? `?${qs}` : ""}`;
}

export function ResellerOrdersCard({ data }: { data: ResellerDetailData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { orders, base } = data;
  const rows = orders.rows.map((o) => [
    <Link key="o" url={`${base}/orders/${o.id}`} removeUnderline>
      <Text as="span" fontWeight="semibold">
        {orderLabel(o)}
      </Text>
    </Link>,
    formatDateTime(locale, o.createdAt),
    o.poolName ?? "—",
    formatNumber(locale, o.quantity),
    <OrderStatusBadge key="s" status={o.status} />,
    formatMoney(locale, o.totalMinor, o.currency),
  ]);
  return (
    <Section
      title={t("resellers.detail.ordersTitle")}
      empty={rows.length === 0 ? t("resellers.detail.noOrders") : null}
      first={data.cursors.ordersBefore ? pageUrl(data, "ordersBefore", null) : null}
      next={orders.nextBefore ? pageUrl(data, "ordersBefore", orders.nextBefore) : null}
    >
      <DataTable
        columnContentTypes={["text", "text", "text", "numeric", "text", "numeric"]}
        headings={[t("orders.columns.order"), t("orders.columns.date"), t("resellers.detail.columns.pool"), t("resellers.detail.columns.quantity"), t("orders.columns.status"), t("orders.columns.total")]}
        rows={rows}
        verticalAlign="middle"
      />
    </Section>
  );
}

export function ResellerLedgerCard({ data }: { data: ResellerDetailData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { ledger, reseller, base } = data;
  const money = (m: number) => formatMoney(locale, m, reseller.currency);
  const rows = ledger.entries.map((e) => [
    formatDateTime(locale, e.createdAt),
    <Badge key="k" tone={KIND_TONES[e.kind]}>
      {t(`resellers.detail.kinds.${e.kind}`)}
    </Badge>,
    <Text key="a" as="span" tone={e.amountMinor < 0 ? "critical" : "success"}>
      {e.amountMinor > 0 ? `+${money(e.amountMinor)}` : money(e.amountMinor)}
    </Text>,
    money(e.balanceAfterMinor),
    e.orderId ? (
      <Link key="d" url={`${base}/orders/${e.orderId}`} removeUnderline>
        {t("resellers.detail.forOrder", { order: e.orderReference ?? e.orderId.slice(0, 8) })}
      </Link>
    ) : (
      <Text key="d" as="span" breakWord>
        {e.reason ?? "—"}
      </Text>
    ),
  ]);
  return (
    <Section
      title={t("resellers.detail.ledgerTitle")}
      empty={rows.length === 0 ? t("resellers.detail.noEntries") : null}
      first={data.cursors.ledgerBefore ? pageUrl(data, "ledgerBefore", null) : null}
      next={ledger.nextBefore ? pageUrl(data, "ledgerBefore", ledger.nextBefore) : null}
    >
      <DataTable
        columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
        headings={[t("orders.columns.date"), t("resellers.detail.columns.kind"), t("resellers.detail.columns.amount"), t("resellers.detail.columns.balanceAfter"), t("resellers.detail.columns.detail")]}
        rows={rows}
        verticalAlign="middle"
      />
    </Section>
  );
}
