import { Badge, Banner, BlockStack, Box, Button, Card, Divider, FormLayout, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatMoney } from "../i18n/i18n.ts";
import { useLocale } from "./pool-ui.tsx";
import { ResellerLedgerCard, ResellerOrdersCard } from "./reseller-activity.tsx";
import { exampleAmount, minorToInput, useDetailForm, type ResellerDetailData } from "./reseller-detail-ui.tsx";
import { ResellerInviteForm } from "./reseller-invite-form.tsx";
import { ResellerPriceListCard } from "./reseller-price-list.tsx";
import { ResellerTokensCard } from "./reseller-tokens-card.tsx";

type Reseller = ResellerDetailData["reseller"];

const PROFILE_FIELDS = ["name", "email", "maxUnitsPerOrder", "maxUnitsPerDay", "ratePerSecond", "rateBurst"] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];

const profileValues = (r: Reseller): Record<ProfileField, string> => ({
  name: r.name,
  email: r.email ?? "",
  maxUnitsPerOrder: r.max_units_per_order === null ? "" : String(r.max_units_per_order),
  maxUnitsPerDay: r.max_units_per_day === null ? "" : String(r.max_units_per_day),
  ratePerSecond: r.rate_per_second === null ? "" : String(r.rate_per_second),
  rateBurst: r.rate_burst === null ? "" : String(r.rate_burst),
});

/** Name, contact and limits; the currency is shown, not edited (the ledger is kept in it). */
function ProfileCard({ csrf, reseller }: { csrf: string; reseller: Reseller }) {
  const { t } = useTranslation();
  const form = useDetailForm(reseller.currency);
  const [values, setValues] = useState(() => profileValues(reseller));
  // After a save the loader's values are the truth again (another card's save leaves edits alone).
  const saved = JSON.stringify(profileValues(reseller));
  useEffect(() => setValues(JSON.parse(saved) as Record<ProfileField, string>), [saved]);
  const field = (f: ProfileField, extra: { type?: "email" | "text"; helpText?: string } = {}) => (
    <TextField
      label={t(`resellers.fields.${f}`)}
      name={f}
      autoComplete="off"
      type={extra.type ?? "text"}
      helpText={extra.helpText}
      value={values[f]}
      onChange={(v) => setValues((old) => ({ ...old, [f]: v }))}
      error={form.errorAt(f, PROFILE_FIELDS, "name")}
    />
  );
  return (
    <Card>
      <form.fetcher.Form method="post">
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="intent" value="profile" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("resellers.detail.profileTitle")}
          </Text>
          {form.succeeded?.intent === "profile" ? <Banner tone="success">{t("resellers.detail.profileSaved")}</Banner> : null}
          <FormLayout>
            {field("name")}
            {field("email", { type: "email" })}
            <TextField label={t("resellers.fields.currency")} value={reseller.currency} autoComplete="off" disabled helpText={t("resellers.detail.currencyFixed")} />
            {/* One field a line: the side column is too narrow for two labels and their help side by side. */}
            {field("maxUnitsPerOrder", { helpText: t("resellers.noLimitHelp") })}
            {field("maxUnitsPerDay", { helpText: t("resellers.noLimitHelp") })}
            {field("ratePerSecond", { helpText: t("resellers.detail.rateHelp") })}
            {field("rateBurst", { helpText: t("resellers.detail.burstHelp") })}
            <InlineStack align="end">
              <Button submit variant="primary" loading={form.busy}>
                {t("resellers.detail.saveProfile")}
              </Button>
            </InlineStack>
          </FormLayout>
        </BlockStack>
      </form.fetcher.Form>
    </Card>
  );
}

/** The balance, what the reseller can still spend, a top-up or an adjustment, and the credit limit. */
function BalanceCard({ csrf, reseller }: { csrf: string; reseller: Reseller }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const money = (m: number) => formatMoney(locale, m, reseller.currency);
  const move = useDetailForm(reseller.currency);
  const credit = useDetailForm(reseller.currency);
  const [kind, setKind] = useState<"topup" | "adjust">("topup");
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [limit, setLimit] = useState(minorToInput(reseller.creditLimitMinor, reseller.currency));
  const moved = move.succeeded && (move.succeeded.intent === "topup" || move.succeeded.intent === "adjust") ? move.succeeded : null;
  useEffect(() => {
    if (moved) {
      setAmount("");
      setNote("");
    }
  }, [moved?.at]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => setLimit(minorToInput(reseller.creditLimitMinor, reseller.currency)), [reseller.creditLimitMinor, reseller.currency]);
  const fact = (label: string, value: string, tone?: "critical") => (
    <BlockStack gap="050">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="span" variant="headingLg" tone={tone}>
        {value}
      </Text>
    </BlockStack>
  );
  const example = exampleAmount(reseller.currency);
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t("resellers.detail.balanceTitle")}
        </Text>
        <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
          {fact(t("resellers.columns.balance"), money(reseller.balanceMinor), reseller.balanceMinor < 0 ? "critical" : undefined)}
          {fact(t("resellers.columns.creditLimit"), money(reseller.creditLimitMinor))}
          {fact(t("resellers.detail.available"), money(reseller.balanceMinor + reseller.creditLimitMinor))}
        </InlineGrid>
        <Divider />
        <move.fetcher.Form method="post">
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="intent" value={kind} />
          <BlockStack gap="300">
            {moved ? <Banner tone="success">{t(moved.intent === "topup" ? "resellers.detail.toppedUp" : "resellers.detail.adjusted")}</Banner> : null}
            <FormLayout>
              <FormLayout.Group>
                <Select
                  label={t("resellers.detail.moveKind")}
                  options={[
                    { label: t("resellers.detail.topup"), value: "topup" },
                    { label: t("resellers.detail.adjust"), value: "adjust" },
                  ]}
                  value={kind}
                  onChange={(v) => setKind(v as "topup" | "adjust")}
                />
                <TextField
                  label={t("resellers.detail.amount", { currency: reseller.currency })}
                  name="amount"
                  autoComplete="off"
                  inputMode="decimal"
                  value={amount}
                  onChange={setAmount}
                  placeholder={kind === "adjust" ? `-${example}` : example}
                  helpText={t(kind === "adjust" ? "resellers.detail.adjustHelp" : "resellers.detail.topupHelp")}
                  error={move.errorAt("amount", ["amount", "note"], "amount")}
                />
              </FormLayout.Group>
              <TextField
                label={t(kind === "adjust" ? "resellers.detail.reason" : "resellers.detail.note")}
                name="note"
                autoComplete="off"
                value={note}
                onChange={setNote}
                requiredIndicator={kind === "adjust"}
                error={move.errorAt("note", ["amount", "note"], "amount")}
              />
              <InlineStack align="end">
                <Button submit variant="primary" loading={move.busy}>
                  {t(kind === "adjust" ? "resellers.detail.adjustSubmit" : "resellers.detail.topupSubmit")}
                </Button>
              </InlineStack>
            </FormLayout>
          </BlockStack>
        </move.fetcher.Form>
        <Divider />
        <credit.fetcher.Form method="post">
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="intent" value="credit-limit" />
          <BlockStack gap="200">
            {credit.succeeded?.intent === "credit-limit" ? <Banner tone="success">{t("resellers.detail.creditSaved")}</Banner> : null}
            <TextField
              label={t("resellers.fields.creditLimit")}
              name="creditLimit"
              autoComplete="off"
              inputMode="decimal"
              value={limit}
              onChange={setLimit}
              helpText={t("resellers.creditLimitHelp")}
              error={credit.errorAt("creditLimit", ["creditLimit"], "creditLimit")}
              connectedRight={
                <Button submit loading={credit.busy}>
                  {t("resellers.detail.setCredit")}
                </Button>
              }
            />
          </BlockStack>
        </credit.fetcher.Form>
      </BlockStack>
    </Card>
  );
}

export function ResellerDetailPage({ data }: { data: ResellerDetailData }) {
  const { t } = useTranslation();
  const { reseller, base, csrf } = data;
  const status = useDetailForm(reseller.currency);
  const suspend = reseller.status === "active";
  return (
    <Page
      title={reseller.name}
      titleMetadata={<Badge tone={suspend ? "success" : "critical"}>{t(`resellers.status.${reseller.status}`)}</Badge>}
      subtitle={[reseller.email, reseller.currency].filter(Boolean).join(" · ")}
      backAction={{ content: t("resellers.title"), url: `${base}/resellers` }}
      secondaryActions={[
        {
          content: t(suspend ? "resellers.suspend" : "resellers.activate"),
          destructive: suspend,
          loading: status.busy,
          onAction: () => status.fetcher.submit({ csrf, intent: suspend ? "suspend" : "activate" }, { method: "post" }),
        },
      ]}
    >
      <Layout>
        {status.message ? (
          <Layout.Section>
            <Banner tone="critical">{status.message}</Banner>
          </Layout.Section>
        ) : null}
        {suspend ? null : (
          <Layout.Section>
            <Banner tone="warning">{t("resellers.detail.suspendedBanner")}</Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="400">
            <BalanceCard csrf={csrf} reseller={reseller} />
            <ResellerPriceListCard data={data} />
            <ResellerTokensCard data={data} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <ProfileCard csrf={csrf} reseller={reseller} />
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("portal.merchant.title")}
                </Text>
                <ResellerInviteForm csrf={csrf} resellerId={reseller.id} />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="400">
            <ResellerOrdersCard data={data} />
            <ResellerLedgerCard data={data} />
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
