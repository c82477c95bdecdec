import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, Divider, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import { formatDateTime } from "../i18n/i18n.ts";
import type { StoresActionData, storesLoader } from "../.server/http/store-pages.ts";
import type { StoreSummary } from "../.server/use-cases/list-stores.ts";
import { Code, errorText, useLocale } from "./pool-ui.tsx";
import { SplitOutcome, StoreLinksCard, UnlinkStore } from "./store-links.tsx";

export type StoresData = Awaited<ReturnType<typeof storesLoader>>;

function StatusBadge({ store }: { store: StoreSummary }) {
  const { t } = useTranslation();
  if (store.attention) return <Badge tone="critical">{t("stores.status.attention")}</Badge>;
  return <Badge tone={store.status === "active" ? "success" : "warning"}>{t(`dashboard.stores.status.${store.status}`)}</Badge>;
}

type Allowed = StoresData["allowed"];

/** One connected store: where it is, whether it is healthy, its settings (controls per the member's role). */
function StoreCard({ store, base, csrf, linked, allowed }: { store: StoreSummary; base: string; csrf: string; linked: boolean; allowed: Allowed }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<StoresActionData>();
  // Optimistic: the box follows the click while the post is on its way.
  const pending = fetcher.formData?.get("intent") === "settings" ? fetcher.formData.get("sendEmail") === "on" : null;
  const sendEmail = pending ?? store.sendEmail;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="start" gap="200">
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h3" variant="headingMd">
                {store.name}
              </Text>
              <Badge>{t(`dashboard.stores.platform.${store.platform}`)}</Badge>
              <StatusBadge store={store} />
            </InlineStack>
            <Text as="p" tone="subdued" breakWord>
              {store.domain}
            </Text>
          </BlockStack>
          <InlineStack gap="200" blockAlign="center">
            {linked && allowed.link ? <UnlinkStore store={store} csrf={csrf} /> : null}
            <Button url={`${base}/stores/${store.id}/products`}>{t("stores.mapProducts")}</Button>
          </InlineStack>
        </InlineStack>
        {store.attention ? (
          <Banner tone="critical" title={t([`stores.attention.${store.attention}`, "stores.attention.other"], { code: store.attention })}>
            <p>{t([`stores.attentionHelp.${store.attention}`, "stores.attentionHelp.other"])}</p>
          </Banner>
        ) : null}
        <Divider />
        <InlineStack gap="600" wrap>
          <BlockStack gap="050">
            <Text as="span" variant="bodySm" tone="subdued">
              {t("stores.webhook")}
            </Text>
            <Text as="span">
              {store.attention === "webhooks_missing"
                ? t("stores.webhookMissing")
                : store.webhookRegistered === null
                  ? t("stores.webhookApp")
                  : store.webhookRegistered
                    ? t("stores.webhookRegistered")
                    : t("stores.webhookNone")}
            </Text>
          </BlockStack>
          <BlockStack gap="050">
            <Text as="span" variant="bodySm" tone="subdued">
              {t("stores.reconciled")}
            </Text>
            <Text as="span">{store.reconciledAt ? formatDateTime(locale, store.reconciledAt) : t("stores.never")}</Text>
          </BlockStack>
          <BlockStack gap="050">
            <Text as="span" variant="bodySm" tone="subdued">
              {t("stores.connectedAt")}
            </Text>
            <Text as="span">{formatDateTime(locale, store.createdAt)}</Text>
          </BlockStack>
        </InlineStack>
        <Checkbox
          label={t("stores.sendEmail")}
          helpText={store.platform === "woocommerce" ? t("stores.sendEmailHelpWoo") : t("stores.sendEmailHelpShopify")}
          checked={sendEmail}
          // Shown to everyone (it says how the buyer is emailed); changed only by a role that manages stores.
          disabled={!allowed.manage || fetcher.state !== "idle"}
          onChange={(v) => fetcher.submit({ intent: "settings", storeId: store.id, sendEmail: v ? "on" : "off", csrf }, { method: "post" })}
        />
        {fetcher.data && !fetcher.data.ok ? <Banner tone="critical">{errorText(t, locale, fetcher.data.error)}</Banner> : null}
      </BlockStack>
    </Card>
  );
}

const EMPTY = { url: "", consumerKey: "", consumerSecret: "", webhookSecret: "" };

/** The form that connects a WooCommerce store with its REST API keys. */
function ConnectCard({ csrf }: { csrf: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<StoresActionData>();
  const [values, setValues] = useState(EMPTY);
  const [registerWebhook, setRegisterWebhook] = useState(true);
  const result = fetcher.data;
  const connected = result?.ok && result.intent === "connect" ? result.connected : null;
  // The secret is never kept once the store is connected.
  useEffect(() => {
    if (connected) setValues(EMPTY);
  }, [connected]);
  const error = result && !result.ok ? result.error : null;
  const fieldError = (field: string) => (error && error.field === field ? errorText(t, locale, error) : undefined);
  const set = (k: keyof typeof EMPTY) => (v: string) => setValues((old) => ({ ...old, [k]: v }));

  return (
    <Card>
      <fetcher.Form method="post" autoComplete="off">
        <input type="hidden" name="intent" value="connect" />
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="registerWebhookShown" value="1" />
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("stores.connect.title")}
            </Text>
            <Text as="p" tone="subdued">
              {t("stores.connect.intro")}
            </Text>
          </BlockStack>
          {error && !error.field ? <Banner tone="critical">{errorText(t, locale, error)}</Banner> : null}
          {connected ? (
            <Banner tone="success" title={t(connected.created ? "stores.connect.done" : "stores.connect.updated", { name: connected.name })}>
              <BlockStack gap="200">
                {connected.webhookRegistered ? <p>{t("stores.connect.webhookAt")}</p> : <p>{t("stores.connect.webhookManual")}</p>}
                <Code>{connected.webhookUrl}</Code>
                <p>{t("stores.connect.secretGone")}</p>
              </BlockStack>
            </Banner>
          ) : null}
          {connected && !connected.manageStock ? (
            <Banner tone="warning" title={t("stores.connect.manageStockTitle")}>
              <p>{t("stores.connect.manageStockBody")}</p>
            </Banner>
          ) : null}
          <TextField label={t("stores.connect.url")} name="url" type="url" value={values.url} onChange={set("url")} autoComplete="off" placeholder={t("stores.connect.urlPlaceholder")} helpText={t("stores.connect.urlHelp")} error={fieldError("url")} />
          <TextField label={t("stores.connect.consumerKey")} name="consumerKey" value={values.consumerKey} onChange={set("consumerKey")} autoComplete="off" monospaced placeholder={t("stores.connect.consumerKeyPlaceholder")} helpText={t("stores.connect.keysHelp")} error={fieldError("consumerKey")} />
          <TextField label={t("stores.connect.consumerSecret")} name="consumerSecret" type="password" value={values.consumerSecret} onChange={set("consumerSecret")} autoComplete="new-password" monospaced placeholder={t("stores.connect.consumerSecretPlaceholder")} error={fieldError("consumerSecret")} />
          <TextField label={t("stores.connect.webhookSecret")} name="webhookSecret" type="password" value={values.webhookSecret} onChange={set("webhookSecret")} autoComplete="new-password" helpText={t("stores.connect.webhookSecretHelp")} error={fieldError("webhookSecret")} />
          <Checkbox label={t("stores.connect.registerWebhook")} name="registerWebhook" value="on" checked={registerWebhook} onChange={setRegisterWebhook} helpText={t("stores.connect.registerWebhookHelp")} />
          <InlineStack>
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>
              {t("stores.connect.submit")}
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}

/** The account's stores and the WooCommerce connect form: the standalone admin's and the embedded app's. */
export function StoresPage({ data }: { data: StoresData }) {
  const { t } = useTranslation();
  const { base, csrf, stores, currentStoreId, allowed } = data;
  return (
    <Page title={t("stores.title")} subtitle={t("stores.subtitle")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <SplitOutcome />
            {stores.length === 0 ? (
              <Card>
                <Box padding="400">
                  <BlockStack gap="200" inlineAlign="center">
                    <Text as="h2" variant="headingMd" alignment="center">
                      {t("dashboard.stores.empty")}
                    </Text>
                    <Text as="p" tone="subdued" alignment="center">
                      {t("dashboard.stores.emptyHint")}
                    </Text>
                  </BlockStack>
                </Box>
              </Card>
            ) : (
              // Unlinking is offered where there is something to unlink from: an account of several stores.
              stores.map((st) => <StoreCard key={st.id} store={st} base={base} csrf={csrf} linked={stores.length > 1} allowed={allowed} />)
            )}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {/* Buttons a role may not use are not shown (the server refuses them anyway). */}
            {allowed.link ? <StoreLinksCard stores={stores} currentStoreId={currentStoreId} csrf={csrf} /> : null}
            {allowed.manage ? <ConnectCard csrf={csrf} /> : null}
            <Text as="p" variant="bodySm" tone="subdued">
              {t("stores.shopifyHint")}
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
