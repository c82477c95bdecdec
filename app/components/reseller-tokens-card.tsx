import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, InlineGrid, InlineStack, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../i18n/i18n.ts";
import { useLocale } from "./pool-ui.tsx";
import { useDetailForm, type ResellerDetailData } from "./reseller-detail-ui.tsx";

type Token = ResellerDetailData["tokens"][number];

const DEFAULT_SCOPES = ["catalog:read", "orders:read", "orders:write", "balance:read"];

function tokenState(tk: Token, now: number): "revoked" | "expired" | "active" {
  if (tk.revokedAt) return "revoked";
  if (tk.expiresAt && new Date(tk.expiresAt).getTime() <= now) return "expired";
  return "active";
}

function RevokeToken({ csrf, token, currency }: { csrf: string; token: Token; currency: string }) {
  const { t } = useTranslation();
  const form = useDetailForm(currency);
  return (
    <form.fetcher.Form method="post">
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="intent" value="token-revoke" />
      <input type="hidden" name="tokenId" value={token.id} />
      <InlineStack gap="200" align="end" blockAlign="center" wrap={false}>
        {form.message ? (
          <Text as="span" tone="critical">
            {form.message}
          </Text>
        ) : null}
        <Button submit size="slim" tone="critical" loading={form.busy} accessibilityLabel={t("resellers.detail.revokeOne", { prefix: token.prefix ?? "" })}>
          {t("resellers.detail.revoke")}
        </Button>
      </InlineStack>
    </form.fetcher.Form>
  );
}

/**
 * The reseller's API tokens: prefix (to recognise one), scopes, expiry, last use, revoke. A new
 * token is shown here once, from the action's answer; the server keeps only its hash.
 */
export function ResellerTokensCard({ data }: { data: ResellerDetailData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { csrf, reseller, tokens, scopes } = data;
  const form = useDetailForm(reseller.currency);
  const [name, setName] = useState("");
  const [expires, setExpires] = useState("");
  const [chosen, setChosen] = useState<string[]>(DEFAULT_SCOPES);
  const [sandbox, setSandbox] = useState(false);
  const created = form.fetcher.data?.ok && form.fetcher.data.intent === "token-create" ? form.fetcher.data : null;
  useEffect(() => {
    if (created) {
      setName("");
      setExpires("");
      setSandbox(false);
    }
  }, [created?.at]); // eslint-disable-line react-hooks/exhaustive-deps
  // The state is worked out on the server's render and the browser's alike from the row's dates.
  const [now] = useState(() => Date.now());
  const when = (iso: string | null) => (iso ? formatDateTime(locale, iso) : "—");
  // One token a row, stacked rather than a table: a prefix, its scopes and its dates fit a narrow card.
  const rows = tokens.map((tk) => {
    const state = tokenState(tk, now);
    return (
      <Box key={tk.id} paddingInline="400" paddingBlock="300" borderBlockStartWidth="025" borderColor="border">
        <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="span" fontWeight="semibold">
                <code>{tk.prefix}…</code>
              </Text>
              {tk.name ? <Text as="span">{tk.name}</Text> : null}
              <Badge tone={state === "active" ? "success" : undefined}>{t(`resellers.detail.tokenState.${state}`)}</Badge>
            </InlineStack>
            <Text as="span" variant="bodySm" tone="subdued" breakWord>
              {tk.scopes.join(" · ")}
            </Text>
            <Text as="span" variant="bodySm" tone="subdued">
              {t("resellers.detail.tokenDates", { expires: tk.expiresAt ? when(tk.expiresAt) : t("resellers.detail.neverExpires"), lastUsed: tk.lastUsedAt ? when(tk.lastUsedAt) : t("resellers.detail.neverUsed") })}
            </Text>
          </BlockStack>
          {state === "revoked" ? null : <RevokeToken csrf={csrf} token={tk} currency={reseller.currency} />}
        </InlineStack>
      </Box>
    );
  });
  return (
    <Card padding="0">
      <Box padding="400">
        <Text as="h2" variant="headingMd">
          {t("resellers.detail.tokensTitle")}
        </Text>
      </Box>
      {created ? (
        <Box paddingInline="400" paddingBlockEnd="400">
          <Banner tone="warning" title={t("resellers.detail.tokenCreated", { prefix: created.summary.prefix ?? "" })}>
            <BlockStack gap="200">
              <Text as="p">{t("resellers.detail.tokenOnce")}</Text>
              <div style={{ width: "100%" }}>
                <TextField label={t("resellers.detail.tokenLabel")} value={created.token} readOnly autoComplete="off" monospaced selectTextOnFocus />
              </div>
            </BlockStack>
          </Banner>
        </Box>
      ) : null}
      {rows.length === 0 ? (
        <Box paddingInline="400" paddingBlockEnd="400">
          <Text as="p" tone="subdued">
            {t("resellers.detail.noTokens")}
          </Text>
        </Box>
      ) : (
        <div>{rows}</div>
      )}
      <Box padding="400" borderBlockStartWidth="025" borderColor="border">
        <form.fetcher.Form method="post">
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="intent" value="token-create" />
          {chosen.map((sc) => (
            <input key={sc} type="hidden" name="scopes" value={sc} />
          ))}
          <input type="hidden" name="mode" value={sandbox ? "test" : "live"} />
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">
              {t("resellers.detail.newToken")}
            </Text>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
              <TextField label={t("resellers.detail.tokenName")} name="name" autoComplete="off" value={name} onChange={setName} placeholder={t("resellers.detail.tokenNamePlaceholder")} />
              <TextField label={t("resellers.detail.expires")} name="expires" type="date" autoComplete="off" value={expires} onChange={setExpires} helpText={t("resellers.detail.expiresHelp")} error={form.errorAt("expires", ["expires"])} />
            </InlineGrid>
            <BlockStack gap="100">
              <Text as="span">{t("resellers.detail.scopes")}</Text>
              <InlineStack gap="400">
                {scopes.map((sc) => (
                  <Checkbox key={sc} label={sc} checked={chosen.includes(sc)} onChange={(on) => setChosen((old) => (on ? [...old, sc] : old.filter((x) => x !== sc)))} />
                ))}
              </InlineStack>
              {form.errorAt("scopes", ["scopes"]) ? (
                <Text as="p" tone="critical">
                  {form.errorAt("scopes", ["scopes"])}
                </Text>
              ) : null}
            </BlockStack>
            <Checkbox label={t("resellerSandbox.tokenSandbox")} helpText={t("resellerSandbox.tokenSandboxHelp")} checked={sandbox} onChange={setSandbox} />
            {form.failed && !["expires", "scopes"].includes(form.failed.field ?? "") ? <Banner tone="critical">{form.message}</Banner> : null}
            <InlineStack align="end">
              <Button submit variant="primary" loading={form.busy}>
                {t("resellers.detail.createToken")}
              </Button>
            </InlineStack>
          </BlockStack>
        </form.fetcher.Form>
      </Box>
    </Card>
  );
}
