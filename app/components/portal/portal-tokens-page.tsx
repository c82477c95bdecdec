import { Badge, Banner, BlockStack, Button, Card, Checkbox, DataTable, FormLayout, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import type { portalTokensLoader } from "../../.server/http/portal/portal-pages.ts";
import type { PageError } from "../../.server/http/pool-pages.ts";
import { formatDateTime } from "../../i18n/i18n.ts";
import { Code, useLocale } from "../pool-ui.tsx";
import { portalErrorText } from "./portal-ui.tsx";

type Data = Awaited<ReturnType<typeof portalTokensLoader>>;
type TokenAnswer = { ok: true; intent: "create" | "revoke"; token: string | null; prefix: string | null } | { ok: false; error: PageError };

/** A new token: its name, scopes and optional expiry; the token itself is shown once, right here. */
function CreateToken({ data }: { data: Data }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<TokenAnswer>();
  const [name, setName] = useState("");
  const [expires, setExpires] = useState("");
  const [scopes, setScopes] = useState<string[]>(["catalog:read", "orders:read", "orders:write", "balance:read"]);
  const [sandbox, setSandbox] = useState(false);
  const answer = fetcher.data;
  const madeToken = answer?.ok ? answer.token : null;
  // Created: the form starts over (the banner keeps the token until the next answer).
  useEffect(() => {
    if (madeToken) {
      setName("");
      setExpires("");
      setSandbox(false);
    }
  }, [madeToken]);
  return (
    <Card>
      <BlockStack gap="300">
        {answer?.ok && answer.token ? (
          <Banner tone="success" title={t("portal.tokens.created")}>
            <BlockStack gap="200">
              <Text as="p">{t("portal.tokens.showOnce")}</Text>
              <Code>{answer.token}</Code>
            </BlockStack>
          </Banner>
        ) : null}
        {answer && !answer.ok ? <Banner tone="critical">{portalErrorText(t, answer.error)}</Banner> : null}
        <fetcher.Form method="post">
          <input type="hidden" name="csrf" value={data.csrf} />
          <input type="hidden" name="intent" value="create" />
          {scopes.map((s) => (
            <input key={s} type="hidden" name="scope" value={s} />
          ))}
          <input type="hidden" name="mode" value={sandbox ? "test" : "live"} />
          <FormLayout>
            <TextField label={t("portal.tokens.name")} name="name" autoComplete="off" value={name} onChange={setName} />
            <BlockStack gap="100">
              <Text as="span">{t("portal.tokens.scopes")}</Text>
              {data.scopes.map((s) => (
                <Checkbox key={s} label={s} helpText={t(`portal.tokens.scopeHelp.${s.replace(":", "_")}`)} checked={scopes.includes(s)} onChange={(on) => setScopes((old) => (on ? [...old, s] : old.filter((x) => x !== s)))} />
              ))}
            </BlockStack>
            <TextField label={t("portal.tokens.expires")} name="expires" type="date" autoComplete="off" helpText={t("portal.tokens.expiresHelp")} value={expires} onChange={setExpires} />
            <Checkbox label={t("resellerSandbox.tokenSandbox")} helpText={t("resellerSandbox.tokenSandboxHelp")} checked={sandbox} onChange={setSandbox} />
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>
              {t("portal.tokens.create")}
            </Button>
          </FormLayout>
        </fetcher.Form>
      </BlockStack>
    </Card>
  );
}

function RevokeButton({ csrf, id, prefix }: { csrf: string; id: string; prefix: string | null }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<TokenAnswer>();
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="intent" value="revoke" />
      <input type="hidden" name="tokenId" value={id} />
      <Button submit size="slim" tone="critical" loading={fetcher.state !== "idle"} accessibilityLabel={t("portal.tokens.revokeOne", { prefix: prefix ?? "" })}>
        {t("portal.tokens.revoke")}
      </Button>
    </fetcher.Form>
  );
}

export function PortalTokensPage({ data }: { data: Data }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const now = new Date().toISOString();
  const rows = data.tokens.map((tk) => {
    const state = tk.revokedAt ? "revoked" : tk.expiresAt && tk.expiresAt <= now ? "expired" : "active";
    return [
      <BlockStack key="n" gap="050">
        <Code>{`${tk.prefix ?? ""}…`}</Code>
        {tk.name ? (
          <Text as="span" tone="subdued" variant="bodySm">
            {tk.name}
          </Text>
        ) : null}
      </BlockStack>,
      tk.scopes.join(", "),
      tk.expiresAt ? formatDateTime(locale, tk.expiresAt) : t("portal.tokens.never"),
      tk.lastUsedAt ? formatDateTime(locale, tk.lastUsedAt) : t("portal.tokens.neverUsed"),
      <Badge key="s" tone={state === "active" ? "success" : undefined}>
        {t(`portal.tokens.state.${state}`)}
      </Badge>,
      state === "active" ? <RevokeButton key="r" csrf={data.csrf} id={tk.id} prefix={tk.prefix} /> : "",
    ];
  });
  return (
    <Page title={t("portal.tokens.title")} subtitle={t("portal.tokens.subtitle")} secondaryActions={[{ content: t("apiReference.open"), url: "/api/v1/docs", external: true }]}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {rows.length === 0 ? (
              <div style={{ padding: "var(--p-space-400)" }}>
                <Text as="p" tone="subdued">
                  {t("portal.tokens.empty")}
                </Text>
              </div>
            ) : (
              <DataTable columnContentTypes={["text", "text", "text", "text", "text", "text"]} headings={[t("portal.tokens.columns.token"), t("portal.tokens.columns.scopes"), t("portal.tokens.columns.expires"), t("portal.tokens.columns.lastUsed"), t("portal.tokens.columns.state"), ""]} rows={rows} />
            )}
          </Card>
        </Layout.Section>
        <Layout.AnnotatedSection title={t("portal.tokens.createTitle")} description={t("portal.tokens.createHelp")}>
          <CreateToken data={data} />
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
