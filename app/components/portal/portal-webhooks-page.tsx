import { Badge, Banner, BlockStack, Button, Card, Checkbox, DataTable, FormLayout, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { portalWebhooksLoader } from "../../.server/http/portal/portal-pages.ts";
import type { PageError } from "../../.server/http/pool-pages.ts";
import { formatDateTime } from "../../i18n/i18n.ts";
import { Code, useLocale } from "../pool-ui.tsx";
import { portalErrorText } from "./portal-ui.tsx";

type Data = Awaited<ReturnType<typeof portalWebhooksLoader>>;
type Endpoint = Data["endpoints"][number];
type HookAnswer = { ok: true; intent: string; secret: string | null; url: string | null } | { ok: false; error: PageError };

function AddEndpoint({ data }: { data: Data }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<HookAnswer>();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>([...data.events]);
  const answer = fetcher.data;
  const addedSecret = answer?.ok ? answer.secret : null;
  // Added: the form starts over (the banner keeps the secret until the next answer).
  useEffect(() => {
    if (addedSecret) setUrl("");
  }, [addedSecret]);
  return (
    <Card>
      <BlockStack gap="300">
        {answer?.ok && answer.secret ? (
          <Banner tone="success" title={t("portal.webhooks.added", { url: answer.url ?? "" })}>
            <BlockStack gap="200">
              <Text as="p">{t("portal.webhooks.secretOnce")}</Text>
              <Code>{answer.secret}</Code>
            </BlockStack>
          </Banner>
        ) : null}
        {answer && !answer.ok ? <Banner tone="critical">{portalErrorText(t, answer.error)}</Banner> : null}
        <fetcher.Form method="post">
          <input type="hidden" name="csrf" value={data.csrf} />
          <input type="hidden" name="intent" value="add" />
          {events.map((e) => (
            <input key={e} type="hidden" name="event" value={e} />
          ))}
          <FormLayout>
            <TextField label={t("portal.webhooks.url")} name="url" type="url" autoComplete="off" placeholder={t("portal.webhooks.urlPlaceholder")} value={url} onChange={setUrl} />
            <BlockStack gap="100">
              <Text as="span">{t("portal.webhooks.events")}</Text>
              <InlineStack gap="400">
                {data.events.map((e) => (
                  <Checkbox key={e} label={e} checked={events.includes(e)} onChange={(on) => setEvents((old) => (on ? [...old, e] : old.filter((x) => x !== e)))} />
                ))}
              </InlineStack>
            </BlockStack>
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>
              {t("portal.webhooks.add")}
            </Button>
          </FormLayout>
        </fetcher.Form>
      </BlockStack>
    </Card>
  );
}

/** One small form per button: remove an endpoint, replay a delivery. */
function ActionButton({ csrf, intent, name, value, label, tone }: { csrf: string; intent: string; name: string; value: string; label: string; tone?: "critical" }) {
  const fetcher = useFetcher<HookAnswer>();
  const { t } = useTranslation();
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name={name} value={value} />
      <InlineStack gap="200" blockAlign="center" wrap={false}>
        {fetcher.data && !fetcher.data.ok ? (
          <Text as="span" tone="critical">
            {portalErrorText(t, fetcher.data.error)}
          </Text>
        ) : null}
        {fetcher.data?.ok && intent === "replay" ? (
          <Text as="span" tone="success">
            {t("portal.webhooks.replayQueued")}
          </Text>
        ) : null}
        <Button submit size="slim" tone={tone} loading={fetcher.state !== "idle"}>
          {label}
        </Button>
      </InlineStack>
    </fetcher.Form>
  );
}

function EndpointCard({ ep, csrf }: { ep: Endpoint; csrf: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const rows = ep.recent_deliveries.map((d) => [
    formatDateTime(locale, d.created_at),
    d.type,
    <Badge key="s" tone={d.status === "delivered" ? "success" : d.status === "failed" ? "critical" : "attention"}>
      {t(`portal.webhooks.status.${d.status}`)}
    </Badge>,
    String(d.attempts),
    d.last_status !== null ? String(d.last_status) : (d.last_error ?? ""),
    <ActionButton key="r" csrf={csrf} intent="replay" name="deliveryId" value={String(d.id)} label={t("portal.webhooks.replay")} />,
  ]);
  return (
    <Card padding="0">
      <div style={{ padding: "var(--p-space-400)" }}>
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <BlockStack gap="050">
            <Code>{ep.url}</Code>
            <Text as="span" tone="subdued" variant="bodySm">
              {ep.events.join(", ")}
            </Text>
          </BlockStack>
          <ActionButton csrf={csrf} intent="remove" name="endpointId" value={ep.id} label={t("portal.webhooks.remove")} tone="critical" />
        </InlineStack>
      </div>
      {rows.length === 0 ? (
        <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
          <Text as="p" tone="subdued">
            {t("portal.webhooks.noDeliveries")}
          </Text>
        </div>
      ) : (
        <DataTable columnContentTypes={["text", "text", "text", "numeric", "text", "text"]} headings={[t("portal.webhooks.columns.date"), t("portal.webhooks.columns.event"), t("portal.webhooks.columns.status"), t("portal.webhooks.columns.attempts"), t("portal.webhooks.columns.answer"), ""]} rows={rows} />
      )}
    </Card>
  );
}

/** The reseller's webhook endpoints, each with its delivery log (the latest 20) and replay. */
export function PortalWebhooksPage({ data }: { data: Data }) {
  const { t } = useTranslation();
  return (
    <Page title={t("portal.webhooks.title")} subtitle={t("portal.webhooks.subtitle")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {data.endpoints.length === 0 ? (
              <Card>
                <Text as="p" tone="subdued">
                  {t("portal.webhooks.empty")}
                </Text>
              </Card>
            ) : (
              data.endpoints.map((ep) => <EndpointCard key={ep.id} ep={ep} csrf={data.csrf} />)
            )}
          </BlockStack>
        </Layout.Section>
        <Layout.AnnotatedSection title={t("portal.webhooks.addTitle")} description={t("portal.webhooks.addHelp")}>
          <AddEndpoint data={data} />
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
