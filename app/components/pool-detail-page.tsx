import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  Checkbox,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Modal,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher, useNavigate } from "react-router";
import { formatDateTime, formatMoney, formatNumber } from "../i18n/i18n.ts";
import type { PoolDetailActionData, PoolDetailBatch, poolDetailLoader } from "../.server/http/pool-pages.ts";
import type { KeyState } from "../.server/db/schema.ts";
import { Code, errorText, formatDate, StateBadge, StockBadge, stockStatus, useHydrated, useLocale } from "./pool-ui.tsx";
import { RevealedKeyModal } from "./revealed-key-modal.tsx";

export type PoolDetailData = Awaited<ReturnType<typeof poolDetailLoader>>;

const LISTED_STATES: KeyState[] = ["available", "allocated", "delivered", "revoked", "returned", "expired", "void"];

function Stat({ label, value }: { label: string; value: number }) {
  const locale = useLocale();
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingLg">
        {formatNumber(locale, value)}
      </Text>
    </BlockStack>
  );
}

function ActionError({ data }: { data: PoolDetailActionData | undefined }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!data || data.ok) return null;
  return <Banner tone="critical">{errorText(t, locale, data.error)}</Banner>;
}

/** One pool: stock, batches, keys (masked, paged), find, reveal, export, import, archive. */
export function PoolDetailPage({ data }: { data: PoolDetailData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigate = useNavigate();
  const { base, csrf, pool, summary, batches, keys, nextBeforeId, filter, allowed } = data;
  const here = `${base}/pools/${pool.id}`;
  const archived = summary.archived;
  const status = stockStatus(summary);
  // Not on a brand-new pool: "import your keys" is said by the empty batches list.
  const lowStock = batches.length > 0 && (status === "low" || (status === "out" && summary.lowStockThreshold > 0));

  const archiveFetcher = useFetcher<PoolDetailActionData>();
  const voidFetcher = useFetcher<PoolDetailActionData>();
  const findFetcher = useFetcher<PoolDetailActionData>();
  const revealFetcher = useFetcher<PoolDetailActionData>();

  // Voiding a batch: confirmed in a modal first.
  const [voidTarget, setVoidTarget] = useState<PoolDetailBatch | null>(null);
  useEffect(() => {
    if (voidFetcher.state === "idle" && voidFetcher.data) setVoidTarget(null);
  }, [voidFetcher.state, voidFetcher.data]);

  // A revealed key is shown once: closing the modal drops it for good.
  const [dismissed, setDismissed] = useState<unknown>(null);
  const revealed = revealFetcher.data?.ok && revealFetcher.data.intent === "reveal" && revealFetcher.data !== dismissed ? revealFetcher.data : null;

  const [code, setCode] = useState("");

  const batchLabel = (batchId: string) => {
    const b = batches.find((x) => x.id === batchId);
    return b?.supplier || b?.source_name || batchId.slice(0, 8);
  };
  const money = (minor: number | null, currency: string | null) => (minor === null ? "—" : currency ? formatMoney(locale, minor, currency) : formatNumber(locale, minor / 100));
  const stateQuery = (state: string | null, before?: number | null) => {
    const q = new URLSearchParams();
    if (state) q.set("state", state);
    if (before) q.set("before", String(before));
    const s = q.toString();
    return s ? `${here}?${s}` : here;
  };

  const batchRows = batches.map((b) => [
    b.supplier || "—",
    b.source_name || t("pools.batches.pasted"),
    formatNumber(locale, b.key_count),
    // A batch without its own cost took the pool's default.
    money(b.cost_minor ?? pool.default_cost_minor, b.currency ?? pool.currency),
    b.expires_at ? formatDate(locale, b.expires_at) : "—",
    formatDateTime(locale, b.created_at),
    b.voided_at ? (
      <Badge key="voided">{t("pools.batches.voided")}</Badge>
    ) : !allowed.manage ? (
      ""
    ) : (
      <Button key="void" size="slim" tone="critical" variant="plain" onClick={() => setVoidTarget(b)}>
        {t("pools.batches.void")}
      </Button>
    ),
  ]);

  const keyRows = keys.map((k) => [
    `#${k.id}`,
    <Code key="code">{k.masked}</Code>,
    <StateBadge key="state" state={k.state} />,
    batchLabel(k.batchId),
    formatDateTime(locale, k.createdAt),
    // Masked for a role that may not reveal from the key list (support reveals on the order's page).
    !allowed.reveal ? (
      ""
    ) : (
    <Button
      key="reveal"
      size="slim"
      accessibilityLabel={t("keys.revealLabel", { id: k.id })}
      loading={revealFetcher.state !== "idle" && revealFetcher.formData?.get("keyId") === String(k.id)}
      onClick={() => revealFetcher.submit({ intent: "reveal", keyId: String(k.id), csrf }, { method: "post" })}
    >
      {t("keys.reveal")}
    </Button>
    ),
  ]);

  const found = findFetcher.data?.ok && findFetcher.data.intent === "find" ? findFetcher.data : null;

  return (
    <Page
      title={pool.name}
      titleMetadata={<StockBadge pool={summary} />}
      subtitle={pool.sku ? t("pools.detail.sku", { sku: pool.sku }) : undefined}
      backAction={{ content: t("pools.list.title"), url: `${base}/pools` }}
      primaryAction={allowed.importKeys ? { content: t("pools.detail.import"), url: `${here}/import`, disabled: archived } : undefined}
      secondaryActions={
        allowed.manage
          ? [
              { content: t("pools.detail.edit"), url: `${here}/edit` },
              {
                content: archived ? t("pools.detail.unarchive") : t("pools.detail.archive"),
                loading: archiveFetcher.state !== "idle",
                onAction: () => archiveFetcher.submit({ intent: archived ? "unarchive" : "archive", csrf }, { method: "post" }),
              },
            ]
          : []
      }
    >
      <Layout>
        {archived || lowStock || (archiveFetcher.data && !archiveFetcher.data.ok) ? (
          <Layout.Section>
            <BlockStack gap="200">
              <ActionError data={archiveFetcher.data} />
              {archived ? <Banner tone="info">{t("pools.detail.archivedBanner")}</Banner> : null}
              {lowStock ? (
                <Banner tone="warning" action={allowed.importKeys ? { content: t("pools.detail.import"), url: `${here}/import` } : undefined}>
                  {t("pools.detail.lowStockBanner", { count: summary.counts.available, n: formatNumber(locale, summary.counts.available), threshold: formatNumber(locale, summary.lowStockThreshold) })}
                </Banner>
              ) : null}
            </BlockStack>
          </Layout.Section>
        ) : null}

        <Layout.Section>
          <Card>
            <InlineGrid columns={{ xs: 2, sm: 3, md: 6 }} gap="400">
              <Stat label={t("keys.states.available")} value={summary.counts.available} />
              <Stat label={t("keys.states.allocated")} value={summary.counts.allocated} />
              <Stat label={t("keys.states.delivered")} value={summary.counts.delivered} />
              <Stat label={t("keys.states.expired")} value={summary.counts.expired} />
              <Stat label={t("keys.states.revoked")} value={summary.counts.revoked} />
              <Stat label={t("keys.states.void")} value={summary.counts.void} />
            </InlineGrid>
          </Card>
        </Layout.Section>

        <Layout.Section>
            <Card padding="0">
              <Box padding="400" paddingBlockEnd="200">
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("pools.batches.title")}
                  </Text>
                  <ActionError data={voidFetcher.data} />
                  {voidFetcher.data?.ok && voidFetcher.data.intent === "voidBatch" ? (
                    <Banner tone="success">
                      {t("pools.batches.voidDone", { count: voidFetcher.data.voided, n: formatNumber(locale, voidFetcher.data.voided) })}
                    </Banner>
                  ) : null}
                </BlockStack>
              </Box>
              {batches.length === 0 ? (
                <Box padding="400" paddingBlockStart="0">
                  <Text as="p" tone="subdued">
                    {t("pools.batches.empty")}
                  </Text>
                </Box>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "text", "text", "text"]}
                  headings={[
                    t("pools.batches.supplier"),
                    t("pools.batches.source"),
                    t("pools.batches.keys"),
                    t("pools.batches.cost"),
                    t("pools.batches.expires"),
                    t("pools.batches.created"),
                    "",
                  ]}
                  rows={batchRows}
                  verticalAlign="middle"
                />
              )}
            </Card>
        </Layout.Section>

        <Layout.Section>
          <BlockStack gap="400">
            <Card padding="0">
              <Box padding="400" paddingBlockEnd="200">
                <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="center" gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("keys.title")}
                  </Text>
                  <Box minWidth="200px">
                    <Select
                      label={t("keys.filterState")}
                      labelInline
                      options={[{ label: t("keys.allStates"), value: "" }, ...LISTED_STATES.map((st) => ({ label: t(`keys.states.${st}`), value: st }))]}
                      value={filter.state ?? ""}
                      onChange={(st) => navigate(stateQuery(st || null))}
                    />
                  </Box>
                </InlineStack>
                <ActionError data={revealFetcher.data} />
                </BlockStack>
              </Box>
              {keys.length === 0 ? (
                <Box padding="400" paddingBlockStart="0">
                  <Text as="p" tone="subdued">
                    {filter.state ? t("keys.emptyFiltered") : t("keys.empty")}
                  </Text>
                </Box>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                  headings={[t("keys.columns.id"), t("keys.columns.code"), t("keys.columns.state"), t("keys.columns.batch"), t("keys.columns.created"), ""]}
                  rows={keyRows}
                  verticalAlign="middle"
                />
              )}
              <Box padding="400">
                <InlineStack align="space-between" blockAlign="center" gap="200">
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("keys.pageHint")}
                  </Text>
                  <ButtonGroup>
                    {filter.before ? <Button url={stateQuery(filter.state)}>{t("keys.firstPage")}</Button> : null}
                    {nextBeforeId ? <Button url={stateQuery(filter.state, nextBeforeId)}>{t("keys.nextPage")}</Button> : null}
                  </ButtonGroup>
                </InlineStack>
              </Box>
            </Card>
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {allowed.find ? (
            <Card>
              <findFetcher.Form method="post">
                <input type="hidden" name="intent" value="find" />
                <input type="hidden" name="csrf" value={csrf} />
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("keys.find.title")}
                  </Text>
                  <TextField
                    label={t("keys.find.label")}
                    name="code"
                    value={code}
                    onChange={setCode}
                    autoComplete="off"
                    monospaced
                    helpText={t("keys.find.help")}
                    connectedRight={
                      <Button submit loading={findFetcher.state !== "idle"} disabled={!code.trim()}>
                        {t("keys.find.submit")}
                      </Button>
                    }
                  />
                  <ActionError data={findFetcher.data} />
                  {findFetcher.data?.ok && findFetcher.data.intent === "find" ? (
                    found?.found ? (
                      <Banner tone="success">
                        <BlockStack gap="100">
                          <Text as="p">
                            {t("keys.find.found", { id: found.found.keyId, pool: found.found.poolName, state: t(`keys.states.${found.found.state}`) })}
                          </Text>
                          {found.found.poolId !== pool.id ? <Link url={`${base}/pools/${found.found.poolId}`}>{t("keys.find.open")}</Link> : null}
                        </BlockStack>
                      </Banner>
                    ) : (
                      <Banner tone="info">{t("keys.find.notFound")}</Banner>
                    )
                  ) : null}
                </BlockStack>
              </findFetcher.Form>
            </Card>
            ) : null}
            {allowed.export ? <ExportCard data={data} /> : null}
            {pool.notes ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("pools.form.notes")}
                  </Text>
                  <Text as="p" breakWord>
                    {pool.notes}
                  </Text>
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />

      <Modal
        open={voidTarget !== null}
        onClose={() => setVoidTarget(null)}
        title={t("pools.batches.confirmTitle")}
        primaryAction={{
          content: t("pools.batches.confirm"),
          destructive: true,
          loading: voidFetcher.state !== "idle",
          onAction: () => voidTarget && voidFetcher.submit({ intent: "voidBatch", batchId: voidTarget.id, csrf }, { method: "post" }),
        }}
        secondaryActions={[{ content: t("pools.form.cancel"), onAction: () => setVoidTarget(null) }]}
      >
        <Modal.Section>
          <Text as="p">
            {t("pools.batches.confirmBody", {
              source: voidTarget ? voidTarget.supplier || voidTarget.source_name || t("pools.batches.pasted") : "",
              created: voidTarget ? formatDateTime(locale, voidTarget.created_at) : "",
            })}
          </Text>
        </Modal.Section>
      </Modal>

      <RevealedKeyModal revealed={revealed} onClose={() => setDismissed(revealFetcher.data)} />
    </Page>
  );
}

/** Export as CSV: masked by GET; plaintext only by POST with the CSRF token, after a confirmation. */
function ExportCard({ data }: { data: PoolDetailData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const hydrated = useHydrated();
  const { base, csrf, pool, batches, filter } = data;
  const [state, setState] = useState(filter.state ?? "");
  const [batch, setBatch] = useState("");
  const [plaintext, setPlaintext] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const confirmed = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);
  const post = hydrated && plaintext;

  return (
    <Card>
      <form
        ref={formRef}
        method={post ? "post" : "get"}
        action={`${base}/pools/${pool.id}/export`}
        onSubmit={(e) => {
          if (post && !confirmed.current) {
            e.preventDefault();
            setConfirming(true);
          }
          confirmed.current = false;
        }}
      >
        {post ? <input type="hidden" name="csrf" value={csrf} /> : null}
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("keys.export.title")}
          </Text>
          <Select
            label={t("keys.filterState")}
            name="state"
            options={[{ label: t("keys.allStates"), value: "" }, ...LISTED_STATES.map((st) => ({ label: t(`keys.states.${st}`), value: st }))]}
            value={state}
            onChange={setState}
          />
          <Select
            label={t("keys.export.batch")}
            name="batch"
            options={[
              { label: t("keys.export.allBatches"), value: "" },
              ...batches.map((b) => ({ label: `${b.supplier || b.source_name || t("pools.batches.pasted")} · ${formatDate(locale, b.created_at)}`, value: b.id })),
            ]}
            value={batch}
            onChange={setBatch}
          />
          {hydrated ? (
            <Checkbox label={t("keys.export.plaintext")} name="plaintext" value="on" checked={plaintext} onChange={setPlaintext} helpText={t("keys.export.plaintextHelp")} />
          ) : null}
          <InlineStack>
            <Button submit>{t("keys.export.submit")}</Button>
          </InlineStack>
        </BlockStack>
      </form>
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t("keys.export.confirmTitle")}
        primaryAction={{
          content: t("keys.export.confirm"),
          destructive: true,
          onAction: () => {
            setConfirming(false);
            confirmed.current = true;
            formRef.current?.requestSubmit();
          },
        }}
        secondaryActions={[{ content: t("pools.form.cancel"), onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t("keys.export.confirmBody")}</Text>
        </Modal.Section>
      </Modal>
    </Card>
  );
}
