import { Card, DataTable, InlineGrid, Layout, Page, Text, Link } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import type { portalBalanceLoader } from "../../.server/http/portal/portal-pages.ts";
import { formatDateTime, formatMoney } from "../../i18n/i18n.ts";
import { Field } from "../order-ui.tsx";
import { useLocale } from "../pool-ui.tsx";
import { CursorPager } from "./portal-ui.tsx";

type Data = Awaited<ReturnType<typeof portalBalanceLoader>>;

/** The prepaid balance and its ledger (every entry, newest first, a page at a time). */
export function PortalBalancePage({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const b = data.balance;
  const money = (m: number) => formatMoney(locale, m, b.currency);
  const rows = data.entries.map((e) => [
    formatDateTime(locale, e.created_at),
    t([`portal.ledger.kinds.${e.kind}`, "portal.ledger.kinds.other"], { kind: e.kind }),
    e.order_id ? (
      <Link key="o" url={`/portal/orders/${encodeURIComponent(e.order_id)}`}>
        {t("portal.ledger.order")}
      </Link>
    ) : (
      e.reason ?? ""
    ),
    <Text key="a" as="span" tone={e.amount_minor < 0 ? "critical" : "success"}>
      {formatMoney(locale, e.amount_minor, e.currency)}
    </Text>,
    formatMoney(locale, e.balance_after_minor, e.currency),
  ]);
  return (
    <Page title={t("portal.balance.title")}>
      <Layout>
        <Layout.Section>
          <Card>
            <InlineGrid columns={3} gap="400">
              <Field label={t("portal.balance.balance")} value={money(b.balance_minor)} />
              <Field label={t("portal.balance.creditLimit")} value={money(b.credit_limit_minor)} />
              <Field label={t("portal.balance.available")} value={money(b.available_minor)} />
            </InlineGrid>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {rows.length === 0 ? (
              <div style={{ padding: "var(--p-space-400)" }}>
                <Text as="p" tone="subdued">
                  {t("portal.balance.empty")}
                </Text>
              </div>
            ) : (
              <DataTable columnContentTypes={["text", "text", "text", "numeric", "numeric"]} headings={[t("portal.balance.columns.date"), t("portal.balance.columns.kind"), t("portal.balance.columns.detail"), t("portal.balance.columns.amount"), t("portal.balance.columns.after")]} rows={rows} />
            )}
            <CursorPager base="/portal/balance" nextCursor={data.nextCursor} first={data.first} />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
