import { Badge, Card, DataTable, Page, Text, Link } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import type { portalOrdersLoader } from "../../.server/http/portal/portal-pages.ts";
import { formatDateTime, formatMoney, formatNumber } from "../../i18n/i18n.ts";
import { useLocale } from "../pool-ui.tsx";
import { CursorPager } from "./portal-ui.tsx";

type Data = Awaited<ReturnType<typeof portalOrdersLoader>>;

export function statusTone(status: string): "success" | "attention" | "critical" | "info" | undefined {
  return status === "fulfilled" ? "success" : status === "backordered" ? "attention" : status === "refunded" || status === "cancelled" || status === "denied" ? "critical" : status === "in_review" ? "info" : undefined;
}

/** The reseller's orders, newest first, a page at a time. */
export function PortalOrdersPage({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const rows = data.orders.map((o) => [
    <Link key="l" url={`/portal/orders/${encodeURIComponent(o.id)}`}>
      {o.reference || o.id.slice(0, 8)}
    </Link>,
    formatDateTime(locale, o.created_at),
    <Badge key="s" tone={statusTone(o.status)}>
      {t([`portal.orderStatus.${o.status}`, "portal.orderStatus.other"], { status: o.status })}
    </Badge>,
    formatNumber(locale, o.quantity),
    formatMoney(locale, o.total_minor, o.currency),
  ]);
  return (
    <Page title={t("portal.orders.title")}>
      <Card padding="0">
        {rows.length === 0 ? (
          <div style={{ padding: "var(--p-space-400)" }}>
            <Text as="p" tone="subdued">
              {t("portal.orders.empty")}
            </Text>
          </div>
        ) : (
          <DataTable columnContentTypes={["text", "text", "text", "numeric", "numeric"]} headings={[t("portal.orders.columns.order"), t("portal.orders.columns.date"), t("portal.orders.columns.status"), t("portal.orders.columns.quantity"), t("portal.orders.columns.total")]} rows={rows} />
        )}
        <CursorPager base="/portal/orders" nextCursor={data.nextCursor} first={data.first} />
      </Card>
    </Page>
  );
}
