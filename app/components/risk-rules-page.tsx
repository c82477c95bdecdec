import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, DataTable, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { ArrowDownIcon, ArrowUpIcon } from "@shopify/polaris-icons";
import type { TFunction } from "i18next";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import { formatDateTime, formatMoney, formatNumber, type Locale } from "../i18n/i18n.ts";
import type { RulesActionData, rulesLoader } from "../.server/http/risk-pages.ts";
import type { BacktestResult } from "../.server/use-cases/backtest-risk-rule.ts";
import { orderLabel } from "./order-ui.tsx";
import { errorText, useLocale } from "./pool-ui.tsx";
import { RiskActionBadge } from "./risk-ui.tsx";

export type RiskRulesData = Awaited<ReturnType<typeof rulesLoader>>;
type PageError = { code: string; params?: Record<string, string | number>; field?: string };

/** A list-add error: a bad pasted line says which line. */
function listErrorText(t: TFunction, locale: Locale, e: PageError): string {
  const text = errorText(t, locale, e);
  return typeof e.params?.line === "number" ? t("risk.lists.lineError", { line: e.params.line, message: text }) : text;
}

function RemoveButton({ csrf, fields, label, confirmText }: { csrf: string; fields: Record<string, string>; label: string; confirmText: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<RulesActionData>();
  const [confirming, setConfirming] = useState(false);
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null;
  return (
    <InlineStack gap="200" blockAlign="center" wrap={false} align="end">
      {failed ? (
        <Text as="span" tone="critical">
          {errorText(t, locale, failed)}
        </Text>
      ) : null}
      {confirming ? (
        <>
          <Text as="span">{confirmText}</Text>
          <Button size="slim" tone="critical" variant="primary" loading={fetcher.state !== "idle"} onClick={() => fetcher.submit({ csrf, ...fields }, { method: "post" })}>
            {t("risk.remove")}
          </Button>
          <Button size="slim" onClick={() => setConfirming(false)}>
            {t("team.cancel")}
          </Button>
        </>
      ) : (
        <Button size="slim" tone="critical" onClick={() => setConfirming(true)} accessibilityLabel={label}>
          {t("risk.remove")}
        </Button>
      )}
    </InlineStack>
  );
}

/** Up / down within the rule's action group (the only order that changes what decides). */
function MoveButtons({ csrf, ruleId, name, first, last }: { csrf: string; ruleId: string; name: string; first: boolean; last: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<RulesActionData>();
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null;
  const move = (direction: "up" | "down") => fetcher.submit({ csrf, intent: "move", ruleId, direction }, { method: "post" });
  return (
    <InlineStack gap="100" blockAlign="center" wrap={false}>
      {failed ? (
        <Text as="span" tone="critical">
          {errorText(t, locale, failed)}
        </Text>
      ) : null}
      <Button size="slim" icon={ArrowUpIcon} disabled={first || fetcher.state !== "idle"} onClick={() => move("up")} accessibilityLabel={t("risk.rules.moveUp", { name })} />
      <Button size="slim" icon={ArrowDownIcon} disabled={last || fetcher.state !== "idle"} onClick={() => move("down")} accessibilityLabel={t("risk.rules.moveDown", { name })} />
    </InlineStack>
  );
}

function BacktestAnswer({ r }: { r: BacktestResult }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const money = r.matched.money.map((m) => formatMoney(locale, m.minor, m.currency)).join(" + ") || t("risk.backtest.noMoney");
  return (
    <Banner tone={r.matched.orders > 0 ? "warning" : "info"} title={t("risk.backtest.title", { days: formatNumber(locale, r.days) })}>
      <BlockStack gap="200">
        <p>
          {t("risk.backtest.summary", {
            matched: formatNumber(locale, r.matched.orders),
            orders: formatNumber(locale, r.orders),
            keysText: t("risk.backtest.keys", { count: r.matched.keys, n: formatNumber(locale, r.matched.keys) }),
            money,
          })}
        </p>
        {r.examples.length > 0 ? (
          <BlockStack gap="050">
            <Text as="span" fontWeight="semibold">
              {t("risk.backtest.examples")}
            </Text>
            {r.examples.map((e) => (
              <Text as="span" key={e.orderId}>
                {`${orderLabel({ name: e.name, externalId: e.orderId })} · ${e.email ?? "—"} · ${formatDateTime(locale, e.at)} · ${t("risk.backtest.keys", { count: e.keys, n: formatNumber(locale, e.keys) })}`}
              </Text>
            ))}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Banner>
  );
}

function AddRuleCard({ data }: { data: RiskRulesData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const add = useFetcher<RulesActionData>();
  const test = useFetcher<RulesActionData>();
  const [name, setName] = useState("");
  const [when, setWhen] = useState("");
  const [then, setThen] = useState<string>("review");
  const [shadow, setShadow] = useState(false);
  const [days, setDays] = useState("30");
  // The last answer decides what the field shows: an add's or a test's error, a test's result.
  const [last, setLast] = useState<"add" | "test" | null>(null);
  const answer = last === "add" ? add.data : last === "test" ? test.data : undefined;
  const failed = answer && !answer.ok ? answer.error : null;
  const added = add.data?.ok && add.data.intent === "add" ? add.data : null;
  const tested = last === "test" && test.data?.ok && test.data.intent === "test" ? test.data.result : null;

  useEffect(() => {
    if (add.state === "idle" && added) {
      setName("");
      setWhen("");
      setShadow(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [add.state, added?.ruleId]);

  const fields = { csrf: data.csrf, name, when, then, shadow: shadow ? "on" : "", days };
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("risk.rules.addTitle")}
        </Text>
        {added && last === "add" ? <Banner tone="success">{t("risk.rules.added", { version: added.version })}</Banner> : null}
        <FormLayout>
          <TextField
            label={t("risk.rules.condition")}
            value={when}
            onChange={setWhen}
            autoComplete="off"
            monospaced
            multiline={2}
            placeholder={t("risk.rules.conditionPlaceholder")}
            helpText={t("risk.rules.conditionHelp")}
            error={failed && (failed.field === "when" || failed.field === undefined) ? errorText(t, locale, failed) : undefined}
          />
          <FormLayout.Group>
            <Select label={t("risk.rules.then")} options={data.actions.map((a) => ({ label: t(`risk.actions.${a}`), value: a }))} value={then} onChange={setThen} error={failed?.field === "then" ? errorText(t, locale, failed) : undefined} />
            <TextField label={t("risk.rules.name")} value={name} onChange={setName} autoComplete="off" placeholder={t("risk.rules.namePlaceholder")} error={failed?.field === "name" ? errorText(t, locale, failed) : undefined} />
          </FormLayout.Group>
          <Checkbox label={t("risk.rules.shadowLabel")} helpText={t("risk.rules.shadowHelp")} checked={shadow} onChange={setShadow} />
          <InlineStack gap="300" blockAlign="end" align="space-between">
            <InlineStack gap="200" blockAlign="end">
              <div style={{ width: "11rem" }}>
                <TextField label={t("risk.backtest.days")} type="number" min={1} max={365} value={days} onChange={setDays} autoComplete="off" error={failed?.field === "days" ? errorText(t, locale, failed) : undefined} />
              </div>
              <Button
                disabled={!when.trim()}
                loading={test.state !== "idle"}
                onClick={() => {
                  setLast("test");
                  test.submit({ ...fields, intent: "test" }, { method: "post" });
                }}
              >
                {t("risk.backtest.run")}
              </Button>
            </InlineStack>
            <Button
              variant="primary"
              disabled={!when.trim()}
              loading={add.state !== "idle"}
              onClick={() => {
                setLast("add");
                add.submit({ ...fields, intent: "add" }, { method: "post" });
              }}
            >
              {t("risk.rules.add")}
            </Button>
          </InlineStack>
        </FormLayout>
        {tested ? <BacktestAnswer r={tested} /> : null}
      </BlockStack>
    </Card>
  );
}

function AddListCard({ data }: { data: RiskRulesData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const fetcher = useFetcher<RulesActionData>();
  const [kind, setKind] = useState<string>("email");
  const [action, setAction] = useState<string>("block");
  const [values, setValues] = useState("");
  const [expiresIn, setExpiresIn] = useState("");
  const [note, setNote] = useState("");
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null;
  const done = fetcher.data?.ok && fetcher.data.intent === "list-add" ? fetcher.data : null;
  useEffect(() => {
    if (fetcher.state === "idle" && done) setValues("");
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.state, done]);
  const at = (field: string) => (failed && failed.field === field ? listErrorText(t, locale, failed) : undefined);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("risk.lists.addTitle")}
        </Text>
        {done ? <Banner tone="success">{t("risk.lists.added", { added: formatNumber(locale, done.added), updated: formatNumber(locale, done.updated) })}</Banner> : null}
        {failed && !["values", "expires-in", "kind", "action"].includes(failed.field ?? "") ? <Banner tone="critical">{errorText(t, locale, failed)}</Banner> : null}
        <FormLayout>
          <FormLayout.Group>
            <Select label={t("risk.lists.kind")} options={data.kinds.map((k) => ({ label: t(`risk.lists.kinds.${k}`), value: k }))} value={kind} onChange={setKind} error={at("kind")} />
            <Select
              label={t("risk.lists.action")}
              options={[
                { label: t("risk.lists.actions.block"), value: "block" },
                { label: t("risk.lists.actions.allow"), value: "allow" },
              ]}
              value={action}
              onChange={setAction}
              error={at("action")}
            />
          </FormLayout.Group>
          <TextField label={t("risk.lists.values")} value={values} onChange={setValues} autoComplete="off" monospaced multiline={4} helpText={t(`risk.lists.valuesHelp.${kind}`, { defaultValue: "" })} error={at("values")} />
          <FormLayout.Group>
            <TextField label={t("risk.lists.expiresIn")} value={expiresIn} onChange={setExpiresIn} autoComplete="off" placeholder={t("risk.lists.expiresPlaceholder")} helpText={t("risk.lists.expiresHelp")} error={at("expires-in")} />
            <TextField label={t("risk.lists.note")} value={note} onChange={setNote} autoComplete="off" />
          </FormLayout.Group>
          <InlineStack align="end">
            <Button variant="primary" disabled={!values.trim()} loading={fetcher.state !== "idle"} onClick={() => fetcher.submit({ intent: "list-add", csrf: data.csrf, kind, action, values, expiresIn, note }, { method: "post" })}>
              {t("risk.lists.add")}
            </Button>
          </InlineStack>
        </FormLayout>
      </BlockStack>
    </Card>
  );
}

/**
 * The account's risk rules (checked allow → block → review, the first match decides) and its
 * allow / block lists. Everyone who sees orders may read them; changing them, and back-testing a
 * condition over the stored orders, is for risk.manage (owners, managers).
 */
export function RiskRulesPage({ data }: { data: RiskRulesData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { base, csrf, rules, entries, canManage, version } = data;
  // Rows, not a DataTable: a long condition wraps instead of pushing the buttons out of the card.
  const ruleRows = rules.map((r, i) => {
    const name = r.preset === null ? r.name : t(`risk.presets.${r.preset}`);
    return (
      <Box key={r.id} padding="400" borderBlockStartWidth="025" borderColor="border">
        <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
          <InlineStack gap="300" blockAlign="start" wrap={false}>
            <Text as="span" tone="subdued">
              {formatNumber(locale, i + 1)}
            </Text>
            <BlockStack gap="050">
              <Text as="span" fontWeight="semibold">
                {name}
              </Text>
              {r.when !== name ? (
                <Text as="span" tone="subdued" breakWord>
                  <code>{r.when}</code>
                </Text>
              ) : null}
            </BlockStack>
          </InlineStack>
          {/* The badges and the button keep their width; the condition on the left wraps. */}
          <div style={{ flex: "none" }}>
            <InlineStack gap="200" blockAlign="center" wrap={false}>
              <RiskActionBadge action={r.then} />
              {r.shadow ? <Badge>{t("risk.rules.shadow")}</Badge> : <Badge tone="success">{t("risk.rules.live")}</Badge>}
              {canManage ? <MoveButtons csrf={csrf} ruleId={r.id} name={name} first={i === 0 || rules[i - 1]!.then !== r.then} last={i === rules.length - 1 || rules[i + 1]!.then !== r.then} /> : null}
              {canManage ? <RemoveButton csrf={csrf} fields={{ intent: "remove", ruleId: r.id }} label={t("risk.rules.removeOne", { name })} confirmText={t("risk.rules.removeConfirm")} /> : null}
            </InlineStack>
          </div>
        </InlineStack>
      </Box>
    );
  });
  const entryRows = entries.map((e) => [
    t(`risk.lists.kinds.${e.kind}`),
    <Text key="value" as="span" breakWord>
      <code>{e.value}</code>
    </Text>,
    <Badge key="action" tone={e.action === "block" ? "critical" : "success"}>
      {t(`risk.lists.actions.${e.action}`)}
    </Badge>,
    e.expiresAt === null ? t("risk.lists.never") : e.active ? formatDateTime(locale, e.expiresAt) : <Badge key="expired">{t("risk.lists.expired")}</Badge>,
    e.note ?? "",
    canManage ? <RemoveButton key="remove" csrf={csrf} fields={{ intent: "list-remove", entryId: e.id }} label={t("risk.lists.removeOne", { value: e.value })} confirmText={t("risk.lists.removeConfirm")} /> : "",
  ]);

  return (
    <Page title={t("risk.rules.title")} subtitle={t("risk.rules.subtitle", { version })} secondaryActions={[{ content: t("risk.reviews.title"), url: `${base}/risk/reviews` }]}>
      <Layout>
        {!canManage ? (
          <Layout.Section>
            <Banner tone="info">{t("risk.rules.readOnly")}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card padding="0">
              <Box padding="400" paddingBlockEnd="200">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingMd">
                    {t("risk.rules.listTitle")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("risk.rules.order")}
                  </Text>
                </BlockStack>
              </Box>
              {rules.length === 0 ? (
                <Box padding="400" paddingBlockStart="0">
                  <Text as="p" tone="subdued">
                    {t("risk.rules.none")}
                  </Text>
                </Box>
              ) : (
                <div role="list" aria-label={t("risk.rules.listTitle")}>
                  {ruleRows.map((row) => (
                    <div role="listitem" key={row.key}>
                      {row}
                    </div>
                  ))}
                </div>
              )}
            </Card>
            {canManage ? <AddRuleCard data={data} /> : null}
            <Card padding="0">
              <Box padding="400" paddingBlockEnd="200">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingMd">
                    {t("risk.lists.title")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("risk.lists.help")}
                  </Text>
                </BlockStack>
              </Box>
              {entries.length === 0 ? (
                <Box padding="400" paddingBlockStart="0">
                  <Text as="p" tone="subdued">
                    {t("risk.lists.none")}
                  </Text>
                </Box>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                  headings={[t("risk.lists.columns.kind"), t("risk.lists.columns.value"), t("risk.lists.columns.action"), t("risk.lists.columns.expires"), t("risk.lists.columns.note"), ""]}
                  rows={entryRows}
                  verticalAlign="middle"
                />
              )}
            </Card>
            {canManage ? <AddListCard data={data} /> : null}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t("risk.language.title")}
              </Text>
              <Text as="p" tone="subdued">
                {t("risk.language.intro")}
              </Text>
              {(["compare", "in", "flag", "velocity", "card"] as const).map((k) => (
                <BlockStack key={k} gap="050">
                  <Text as="h3" variant="headingSm">
                    {t(`risk.language.${k}.title`)}
                  </Text>
                  <Text as="p" tone="subdued">
                    <code>{t(`risk.language.${k}.example`)}</code>
                  </Text>
                </BlockStack>
              ))}
              <Text as="p" variant="bodySm" tone="subdued" breakWord>
                {t("risk.language.attributes")}
              </Text>
              <Text as="p" variant="bodySm" tone="subdued" breakWord>
                {t("risk.language.cardAttributes")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
