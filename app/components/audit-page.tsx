import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Form } from "react-router";
import type { auditLoader } from "../.server/http/audit-pages.ts";
import { errorText, useLocale } from "./pool-ui.tsx";

export type AuditData = Awaited<ReturnType<typeof auditLoader>>;
type Row = AuditData["rows"][number];

const ACTOR_TYPES = ["admin", "shopify_staff", "cli", "system", "reseller"] as const;

/** An action's label from the catalog (audit.actions.<action with dots as underscores>), else the raw name. */
export function actionKey(action: string): string {
  return `audit.actions.${action.replace(/[./]/g, "__")}`;
}

function Subject({ base, row }: { base: string; row: Row }) {
  const { t } = useTranslation();
  if (!row.subjectType) return <Text as="span">—</Text>;
  const type = t(`audit.subjects.${row.subjectType}`, { defaultValue: row.subjectType });
  const id = row.subjectId ?? "";
  const url = row.subjectType === "order" ? `${base}/orders/${id}` : row.subjectType === "pool" ? `${base}/pools/${id}` : null;
  return (
    <Text as="span">
      {type}{" "}
      {url && id ? <Link url={url}>{id.slice(0, 8)}</Link> : <span title={id}>{id.length > 24 ? `${id.slice(0, 24)}…` : id}</span>}
    </Text>
  );
}

export function AuditPage({ data }: { data: AuditData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { base, query, rows, timeZone, nextCursor, actions, error, cursor, retention } = data;
  const [actorType, setActorType] = useState(query.actorType);
  const [action, setAction] = useState(query.action);
  const [from, setFrom] = useState(query.from);
  const [to, setTo] = useState(query.to);
  const [q, setQ] = useState(query.q);
  const when = new Intl.DateTimeFormat(locale, { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const filterParams = new URLSearchParams(Object.entries(query).filter(([, v]) => v) as [string, string][]);
  const actionLabel = (a: string) => t(actionKey(a), { defaultValue: a });
  const fieldError = (f: string) => (error?.field === f ? errorText(t, locale, error) : undefined);

  return (
    <Page title={t("audit.title")} subtitle={t("audit.subtitle", { timeZone })}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {error ? <Banner tone="critical">{errorText(t, locale, error)}</Banner> : null}
            <InlineStack gap="200" blockAlign="center">
              <Text as="p" tone="subdued">
                {retention.days === null ? t("audit.retention.kept") : t("audit.retention.days", { count: retention.days })}
                {retention.pruned > 0 ? ` ${t("audit.retention.pruned", { count: retention.pruned })}` : ""}
              </Text>
              {retention.canEdit ? <Link url={`${base}/settings`}>{t("audit.retention.change")}</Link> : null}
            </InlineStack>
            <Card>
              <Form method="get">
                <InlineStack gap="300" blockAlign="end" wrap>
                  <Select
                    label={t("audit.filters.actorType")}
                    name="actorType"
                    options={[{ value: "", label: t("audit.filters.any") }, ...ACTOR_TYPES.map((a) => ({ value: a, label: t(`audit.actorTypes.${a}`) }))]}
                    value={actorType}
                    onChange={setActorType}
                    error={fieldError("actorType")}
                  />
                  <Select
                    label={t("audit.filters.action")}
                    name="action"
                    options={[{ value: "", label: t("audit.filters.any") }, ...actions.map((a) => ({ value: a, label: actionLabel(a) }))]}
                    value={action}
                    onChange={setAction}
                    error={fieldError("action")}
                  />
                  <TextField label={t("audit.filters.from")} name="from" type="date" value={from} onChange={setFrom} autoComplete="off" error={fieldError("from")} />
                  <TextField label={t("audit.filters.to")} name="to" type="date" value={to} onChange={setTo} autoComplete="off" error={fieldError("to")} />
                  <TextField label={t("audit.filters.search")} name="q" value={q} onChange={setQ} autoComplete="off" placeholder={t("audit.filters.searchHint")} />
                  <Button submit variant="primary">
                    {t("audit.filters.apply")}
                  </Button>
                  <Button url={`${base}/audit/export?${filterParams}`} download>
                    {t("audit.exportCsv")}
                  </Button>
                </InlineStack>
              </Form>
            </Card>
            <Card padding="0">
              {rows.length === 0 ? (
                <div style={{ padding: 16 }}>
                  <Text as="p" tone="subdued">
                    {t("audit.empty")}
                  </Text>
                </div>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                  headings={[t("audit.columns.when"), t("audit.columns.who"), t("audit.columns.what"), t("audit.columns.subject"), t("audit.columns.ip"), t("audit.columns.details")]}
                  rows={rows.map((r) => [
                    when.format(new Date(r.at)),
                    <span key="who" title={r.actorId ?? undefined}>
                      {t(`audit.actorTypes.${r.actorType}`)}
                      {r.actorName || r.actorId ? `: ${r.actorName ?? r.actorId!.slice(0, 12)}` : ""}
                    </span>,
                    <span key="what" title={r.action}>
                      {actionLabel(r.action)}
                    </span>,
                    <Subject key="subject" base={base} row={r} />,
                    r.ip ?? "—",
                    <span key="details" style={{ fontFamily: "monospace", fontSize: 12, wordBreak: "break-all" }}>
                      {r.details && r.details.length > 120 ? `${r.details.slice(0, 120)}…` : (r.details ?? "")}
                    </span>,
                  ])}
                />
              )}
            </Card>
            <InlineStack gap="300">
              {cursor ? <Button url={`${base}/audit?${filterParams}`}>{t("audit.newest")}</Button> : null}
              {nextCursor ? <Button url={`${base}/audit?${new URLSearchParams({ ...Object.fromEntries(filterParams), cursor: nextCursor })}`}>{t("audit.older")}</Button> : null}
            </InlineStack>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
