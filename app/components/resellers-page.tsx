import { Badge, Banner, BlockStack, Button, Card, DataTable, FormLayout, InlineStack, Layout, Link, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { ResellersActionData, resellersLoader } from "../.server/http/reseller-pages.ts";
import { formatMoney, formatNumber } from "../i18n/i18n.ts";
import { errorText, useLocale } from "./pool-ui.tsx";

export type ResellersPageData = Awaited<ReturnType<typeof resellersLoader>>;
type Row = ResellersPageData["resellers"][number];

const FIELDS = ["name", "email", "currency", "creditLimit", "maxUnitsPerOrder", "maxUnitsPerDay"] as const;

/** Add a reseller: each refusal is shown at the field it is about, in the reader's language. */
function CreateResellerForm({ csrf }: { csrf: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<ResellersActionData>();
  const blank = { name: "", email: "", currency: "USD", creditLimit: "", maxUnitsPerOrder: "", maxUnitsPerDay: "" };
  const [values, setValues] = useState<Record<(typeof FIELDS)[number], string>>(blank);
  const answer = fetcher.data;
  const failed = answer && !answer.ok ? answer.error : null;
  const created = answer?.ok && answer.intent === "create" ? answer : null;
  useEffect(() => {
    if (created) setValues(blank);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [created?.id]);
  const errorAt = (f: string) => (failed && (failed.field === f || (!failed.field && f === "name")) ? errorText(t, locale, failed) : undefined);
  const field = (f: (typeof FIELDS)[number], extra: { type?: "email" | "text"; helpText?: string } = {}) => (
    <TextField
      label={t(`resellers.fields.${f}`)}
      name={f}
      autoComplete="off"
      type={extra.type ?? "text"}
      helpText={extra.helpText}
      value={values[f]}
      onChange={(v) => setValues((old) => ({ ...old, [f]: v }))}
      error={errorAt(f)}
    />
  );
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("resellers.createTitle")}
        </Text>
        {created ? <Banner tone="success">{t("resellers.created", { name: created.name })}</Banner> : null}
        <fetcher.Form method="post">
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="intent" value="create" />
          <FormLayout>
            <FormLayout.Group>
              {field("name")}
              {field("email", { type: "email" })}
            </FormLayout.Group>
            <FormLayout.Group>
              {field("currency", { helpText: t("resellers.currencyHelp") })}
              {field("creditLimit", { helpText: t("resellers.creditLimitHelp") })}
            </FormLayout.Group>
            <FormLayout.Group>
              {field("maxUnitsPerOrder", { helpText: t("resellers.noLimitHelp") })}
              {field("maxUnitsPerDay", { helpText: t("resellers.noLimitHelp") })}
            </FormLayout.Group>
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>
              {t("resellers.create")}
            </Button>
          </FormLayout>
        </fetcher.Form>
      </BlockStack>
    </Card>
  );
}

/** Suspend (its API calls are refused) or activate again, each row with its own fetcher. */
function StatusControl({ csrf, row }: { csrf: string; row: Row }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<ResellersActionData>();
  const suspend = row.status === "active";
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="intent" value={suspend ? "suspend" : "activate"} />
      <input type="hidden" name="resellerId" value={row.id} />
      <InlineStack gap="200" blockAlign="center" wrap={false} align="end">
        {fetcher.data && !fetcher.data.ok ? (
          <Text as="span" tone="critical">
            {errorText(t, locale, fetcher.data.error)}
          </Text>
        ) : null}
        <Button submit size="slim" tone={suspend ? "critical" : undefined} loading={fetcher.state !== "idle"} accessibilityLabel={t(suspend ? "resellers.suspendOne" : "resellers.activateOne", { name: row.name })}>
          {t(suspend ? "resellers.suspend" : "resellers.activate")}
        </Button>
      </InlineStack>
    </fetcher.Form>
  );
}

export function ResellersPage({ data }: { data: ResellersPageData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const rows = data.resellers.map((r) => [
    <BlockStack key={r.id} gap="050">
      {/* The row's way to the reseller's page: prices, balance, tokens, orders. */}
      <Link url={`${data.base}/resellers/${r.id}`} removeUnderline>
        <Text as="span" fontWeight="semibold">
          {r.name}
        </Text>
      </Link>
      <Text as="span" tone="subdued" variant="bodySm">
        {r.email}
      </Text>
    </BlockStack>,
    <Badge key="s" tone={r.status === "active" ? "success" : "critical"}>
      {t(`resellers.status.${r.status}`)}
    </Badge>,
    r.currency,
    <Text key="b" as="span" tone={r.balanceMinor < 0 ? "critical" : undefined}>
      {formatMoney(locale, r.balanceMinor, r.currency)}
    </Text>,
    formatMoney(locale, r.creditLimitMinor, r.currency),
    formatNumber(locale, r.ordersLast30Days),
    <StatusControl key="a" csrf={data.csrf} row={r} />,
  ]);
  return (
    <Page title={t("resellers.title")} subtitle={t("resellers.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {rows.length === 0 ? (
              <div style={{ padding: "var(--p-space-400)" }}>
                <Text as="p" tone="subdued">
                  {t("resellers.empty")}
                </Text>
              </div>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric", "numeric", "numeric", "text"]}
                headings={[t("resellers.columns.name"), t("resellers.columns.status"), t("resellers.columns.currency"), t("resellers.columns.balance"), t("resellers.columns.creditLimit"), t("resellers.columns.orders30"), ""]}
                rows={rows}
              />
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <CreateResellerForm csrf={data.csrf} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
