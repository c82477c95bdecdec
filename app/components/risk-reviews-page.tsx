import { Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, Checkbox, InlineGrid, InlineStack, Layout, Link, Modal, Page, Select, Text, TextField } from "@shopify/polaris";
import type { TFunction } from "i18next";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher, useNavigate } from "react-router";
import { formatDateTime, formatMoney, formatNumber, type Locale } from "../i18n/i18n.ts";
import type { QueuePage, ReviewsActionData, reviewsLoader } from "../.server/http/risk-pages.ts";
import { Field, orderLabel } from "./order-ui.tsx";
import { errorText, useLocale } from "./pool-ui.tsx";
import { RiskActionBadge } from "./risk-ui.tsx";

export type RiskReviewsData = Awaited<ReturnType<typeof reviewsLoader>>;
type QueueOrder = QueuePage["orders"][number];
type Decision = "approve" | "deny";

/** "3 h 12 min" since the hold, against the server's clock at render (the same text on both renders). */
function heldFor(t: TFunction, fromIso: string, nowIso: string): string {
  const minutes = Math.max(0, Math.floor((Date.parse(nowIso) - Date.parse(fromIso)) / 60_000));
  if (minutes < 1) return t("risk.reviews.heldJustNow");
  if (minutes < 60) return t("risk.reviews.heldMinutes", { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("risk.reviews.heldHours", { count: hours, minutes: minutes % 60 });
  return t("risk.reviews.heldDays", { count: Math.floor(hours / 24) });
}

function money(locale: Locale, minor: number | null, currency: string | null): string {
  if (minor === null) return "—";
  return currency ? formatMoney(locale, minor, currency) : formatNumber(locale, minor / 100);
}

function yesNo(t: TFunction, v: boolean | null): string {
  return v === null ? "—" : v ? t("risk.reviews.yes") : t("risk.reviews.no");
}

function HeldOrderCard({ o, base, now, selected, onSelect, canDecide, onDecide }: { o: QueueOrder; base: string; now: string; selected: boolean; onSelect: (v: boolean) => void; canDecide: boolean; onDecide: (d: Decision) => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const label = orderLabel(o);
  const f = o.facts;
  const country = [f.ipCountry ? t("risk.reviews.ipCountry", { country: f.ipCountry }) : null, f.billingCountry ? t("risk.reviews.billingCountry", { country: f.billingCountry }) : null].filter(Boolean).join(" · ");
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="start" gap="300" wrap={false}>
          <InlineStack gap="300" blockAlign="center" wrap={false}>
            {canDecide ? <Checkbox label={t("risk.reviews.selectOne", { order: label })} labelHidden checked={selected} onChange={onSelect} /> : null}
            <BlockStack gap="050">
              <Link url={`${base}/orders/${o.orderId}`} removeUnderline>
                <Text as="span" variant="headingMd">
                  {label}
                </Text>
              </Link>
              <Text as="span" tone="subdued">
                {[o.email ?? t("risk.reviews.noEmail"), o.storeName].filter(Boolean).join(" · ")}
              </Text>
            </BlockStack>
          </InlineStack>
          <BlockStack gap="050" inlineAlign="end">
            <Text as="span" fontWeight="semibold">
              {heldFor(t, o.heldAt, now)}
            </Text>
            <Text as="span" variant="bodySm" tone="subdued">
              {t("risk.reviews.heldSince", { at: formatDateTime(locale, o.heldAt) })}
            </Text>
          </BlockStack>
        </InlineStack>

        <InlineStack gap="600" wrap>
          <Field label={t("risk.reviews.facts.total")} value={money(locale, o.totalMinor, o.currency)} />
          <Field label={t("risk.reviews.facts.keys")} value={f.keys === null ? "—" : formatNumber(locale, f.keys)} />
          <Field label={t("risk.reviews.facts.ip")} value={f.ip ?? "—"} />
          <Field label={t("risk.reviews.facts.countries")} value={country || "—"} />
          <Field label={t("risk.reviews.facts.firstOrder")} value={yesNo(t, f.firstOrder)} />
          <Field label={t("risk.reviews.facts.disposable")} value={yesNo(t, f.disposableEmail)} />
          {/* The card, masked (BIN and last four), where the host showed it: only Shopify does. */}
          {f.card ? <Field label={t("risk.reviews.facts.card")} value={f.card.brand ? t("risk.card.withBrand", { card: f.card.masked, brand: f.card.brand }) : f.card.masked} /> : null}
          {/* Shopify's own assessment; a WooCommerce order has none (NONE), so nothing is shown. */}
          {f.hostRisk && f.hostRisk !== "NONE" ? <Field label={t("risk.reviews.facts.hostRisk")} value={t([`risk.hostRisk.${f.hostRisk}`, "risk.hostRisk.other"], { value: f.hostRisk })} /> : null}
        </InlineStack>
        {f.hostRiskUnavailable ? (
          <InlineStack gap="200" wrap>
            <Badge tone="warning">{t("risk.reviews.hostRiskUnavailable")}</Badge>
            <Text as="span" tone="subdued" variant="bodySm">
              {f.hostRiskUnavailable}
            </Text>
          </InlineStack>
        ) : null}
        {Object.keys(f.velocity).length > 0 ? (
          <InlineStack gap="200" wrap>
            {Object.entries(f.velocity).map(([k, v]) => (
              <Badge key={k}>{`${k} = ${formatNumber(locale, v)}`}</Badge>
            ))}
          </InlineStack>
        ) : null}
        {f.listHits.length > 0 ? (
          <InlineStack gap="200" wrap>
            {f.listHits.map((h) => (
              <Badge key={`${h.kind}:${h.value}`} tone={h.action === "block" ? "critical" : "success"}>
                {t(`risk.lists.on.${h.action === "block" ? "block" : "allow"}`, { kind: t(`risk.lists.kinds.${h.kind}`, { defaultValue: h.kind }), value: h.value })}
              </Badge>
            ))}
          </InlineStack>
        ) : null}

        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            {t("risk.reviews.why")}
          </Text>
          {o.rules.map((r) => (
            <InlineStack key={r.ruleId} gap="200" blockAlign="center" wrap>
              <RiskActionBadge action={r.action} />
              {r.shadow ? <Badge>{t("risk.rules.shadow")}</Badge> : null}
              <Text as="span" fontWeight={r.decided ? "semibold" : "regular"}>
                {r.preset === null ? r.name : t(`risk.presets.${r.preset}`)}
              </Text>
              {r.when && (r.when !== r.name || r.preset !== null) ? (
                <Text as="span" tone="subdued">
                  <code>{r.when}</code>
                </Text>
              ) : null}
              {r.decided ? <Badge tone="info">{t("risk.reviews.decidedBy")}</Badge> : null}
            </InlineStack>
          ))}
          <Text as="span" variant="bodySm" tone="subdued">
            {t("risk.reviews.version", { version: o.ruleSetVersion })}
          </Text>
        </BlockStack>

        {canDecide ? (
          <InlineStack align="end">
            <ButtonGroup>
              <Button tone="critical" onClick={() => onDecide("deny")} accessibilityLabel={t("risk.reviews.denyOne", { order: label })}>
                {t("risk.reviews.deny")}
              </Button>
              <Button variant="primary" onClick={() => onDecide("approve")} accessibilityLabel={t("risk.reviews.approveOne", { order: label })}>
                {t("risk.reviews.approve")}
              </Button>
            </ButtonGroup>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/**
 * The review queue: orders keyrelay's rules held, oldest first, with the facts and the rules that
 * fired; approve (delivered as usual) or deny (keys back in stock), one or several at once, each
 * after a confirmation with a reason that goes to the audit log.
 */
export function RiskReviewsPage({ data }: { data: RiskReviewsData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { base, csrf, queue, canDecide, now } = data;
  const navigate = useNavigate();
  const pageUrl = (page: number, rule: string | null = queue.ruleId) => `${base}/risk/reviews?${new URLSearchParams({ ...(rule ? { rule } : {}), ...(page > 1 ? { page: String(page) } : {}) })}`;
  const ruleOptions = [
    { label: t("risk.reviews.allRules"), value: "" },
    ...queue.byRule.map((r) => ({ label: t("risk.reviews.ruleOption", { name: r.preset === null ? r.name : t(`risk.presets.${r.preset}`), n: formatNumber(locale, r.count) }), value: r.ruleId })),
  ];
  const search = useFetcher<ReviewsActionData>();
  const decide = useFetcher<ReviewsActionData>();
  const [q, setQ] = useState("");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<{ decision: Decision; ids: string[]; label: string } | null>(null);
  const [reason, setReason] = useState("");
  // Deny only: also cancel the order on the store, refund the payment (implies cancel), restock.
  const [hostCancel, setHostCancel] = useState({ cancel: false, refund: false, restock: false });

  const found = search.data?.ok && search.data.intent === "search" && search.data.queue.query ? search.data.queue : null;
  const shown = found ? found.orders : queue.orders;
  const result = decide.data;
  // After a decision the queue reloads (revalidation); the decided orders leave it and the selection.
  useEffect(() => {
    if (decide.state !== "idle" || !result) return;
    if (result.ok) {
      setPending(null);
      setReason("");
      setSelected(new Set());
      // A search's list is the fetcher's own: run it again so the decided orders leave it too.
      if (found) search.submit({ intent: "search", q: found.query ?? "", csrf }, { method: "post" });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [decide.state, result]);

  const ask = (decision: Decision, ids: string[], label: string) => {
    setReason("");
    setHostCancel({ cancel: false, refund: false, restock: false });
    setPending({ decision, ids, label });
  };
  const submitDecision = () => {
    if (!pending) return;
    const body = new URLSearchParams({ intent: pending.decision, csrf, reason });
    if (pending.decision === "deny") {
      if (hostCancel.cancel || hostCancel.refund) body.set("hostCancel", "on");
      if (hostCancel.refund) body.set("hostRefund", "on");
      if ((hostCancel.cancel || hostCancel.refund) && hostCancel.restock) body.set("hostRestock", "on");
    }
    for (const id of pending.ids) body.append("orderId", id);
    decide.submit(body, { method: "post" });
  };
  const toggle = (id: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allShown = shown.length > 0 && shown.every((o) => selected.has(o.orderId));
  const selectedIds = shown.filter((o) => selected.has(o.orderId)).map((o) => o.orderId);
  const modalError = pending && result && !result.ok && decide.state === "idle" ? result.error : null;

  return (
    <Page
      title={t("risk.reviews.title")}
      titleMetadata={<Badge tone={queue.total > 0 ? "attention" : "success"}>{t("risk.reviews.count", { count: queue.total, n: formatNumber(locale, queue.total) })}</Badge>}
      subtitle={t("risk.reviews.subtitle")}
      secondaryActions={[{ content: t("risk.rules.title"), url: `${base}/risk/rules` }]}
    >
      <Layout>
        {result?.ok && (result.intent === "approve" || result.intent === "deny") && decide.state === "idle" ? (
          <Layout.Section>
            <Banner tone={result.failed.length ? "warning" : "success"} onDismiss={undefined}>
              <BlockStack gap="100">
                <p>
                  {result.intent === "approve"
                    ? t("risk.reviews.approved", { count: result.done.length, n: formatNumber(locale, result.done.length) })
                    : t("risk.reviews.denied", { count: result.done.length, n: formatNumber(locale, result.done.length), keys: formatNumber(locale, result.released) })}
                </p>
                {result.failed.length ? <p>{t("risk.reviews.someFailed", { count: result.failed.length, n: formatNumber(locale, result.failed.length) })}</p> : null}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <search.Form method="post" autoComplete="off">
              <input type="hidden" name="intent" value="search" />
              <input type="hidden" name="csrf" value={csrf} />
              <BlockStack gap="200">
                <InlineGrid columns={{ xs: 1, md: ["twoThirds", "oneThird"] }} gap="300" alignItems="end">
                <TextField
                  label={t("risk.reviews.searchLabel")}
                  name="q"
                  value={q}
                  onChange={setQ}
                  autoComplete="off"
                  placeholder={t("risk.reviews.searchPlaceholder")}
                  connectedRight={
                    <Button submit loading={search.state !== "idle"} disabled={!q.trim()}>
                      {t("orders.search.submit")}
                    </Button>
                  }
                />
                <Select label={t("risk.reviews.filterLabel")} options={ruleOptions} value={queue.ruleId ?? ""} onChange={(v) => navigate(pageUrl(1, v || null))} disabled={queue.byRule.length === 0} />
                </InlineGrid>
                {search.data && !search.data.ok ? <Banner tone="critical">{errorText(t, locale, search.data.error)}</Banner> : null}
                {found ? (
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="p" tone="subdued">
                      {t("risk.reviews.searchFound", { count: found.orders.length, n: formatNumber(locale, found.orders.length) })}
                    </Text>
                    <Button
                      variant="plain"
                      onClick={() => {
                        setQ("");
                        search.submit({ intent: "search", q: "", csrf }, { method: "post" });
                      }}
                    >
                      {t("orders.search.clear")}
                    </Button>
                  </InlineStack>
                ) : null}
              </BlockStack>
            </search.Form>
          </Card>
        </Layout.Section>

        {canDecide && shown.length > 0 ? (
          <Layout.Section>
            <Card>
              <InlineStack align="space-between" blockAlign="center" gap="300">
                <Checkbox
                  label={selectedIds.length ? t("risk.reviews.selected", { count: selectedIds.length, n: formatNumber(locale, selectedIds.length) }) : t("risk.reviews.selectAll")}
                  checked={allShown ? true : selectedIds.length ? "indeterminate" : false}
                  onChange={(on) => setSelected(on ? new Set(shown.map((o) => o.orderId)) : new Set())}
                />
                <ButtonGroup>
                  <Button tone="critical" disabled={selectedIds.length === 0} onClick={() => ask("deny", selectedIds, t("risk.reviews.selected", { count: selectedIds.length, n: formatNumber(locale, selectedIds.length) }))}>
                    {t("risk.reviews.denySelected")}
                  </Button>
                  <Button disabled={selectedIds.length === 0} onClick={() => ask("approve", selectedIds, t("risk.reviews.selected", { count: selectedIds.length, n: formatNumber(locale, selectedIds.length) }))}>
                    {t("risk.reviews.approveSelected")}
                  </Button>
                </ButtonGroup>
              </InlineStack>
            </Card>
          </Layout.Section>
        ) : null}

        <Layout.Section>
          <BlockStack gap="400">
            {shown.length === 0 ? (
              <Card>
                <Box padding="600">
                  <BlockStack gap="200" inlineAlign="center">
                    <Text as="h2" variant="headingMd" alignment="center">
                      {found ? t("risk.reviews.searchNone") : t("risk.reviews.emptyTitle")}
                    </Text>
                    {found ? null : (
                      <Text as="p" tone="subdued" alignment="center">
                        {t("risk.reviews.emptyBody")}
                      </Text>
                    )}
                  </BlockStack>
                </Box>
              </Card>
            ) : (
              shown.map((o) => (
                <HeldOrderCard
                  key={o.orderId}
                  o={o}
                  base={base}
                  now={now}
                  selected={selected.has(o.orderId)}
                  onSelect={(v) => toggle(o.orderId, v)}
                  canDecide={canDecide}
                  onDecide={(d) => ask(d, [o.orderId], orderLabel(o))}
                />
              ))
            )}
            {!found && queue.pages > 1 ? (
              <InlineStack align="center" blockAlign="center" gap="300">
                <Button disabled={queue.page <= 1} url={pageUrl(queue.page - 1)}>
                  {t("risk.reviews.previous")}
                </Button>
                <Text as="span" tone="subdued">
                  {t("risk.reviews.pageOf", { page: formatNumber(locale, queue.page), pages: formatNumber(locale, queue.pages) })}
                </Text>
                <Button disabled={queue.page >= queue.pages} url={pageUrl(queue.page + 1)}>
                  {t("risk.reviews.next")}
                </Button>
              </InlineStack>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>

      <Modal
        open={pending !== null}
        onClose={() => setPending(null)}
        title={pending ? t(pending.decision === "approve" ? "risk.reviews.confirmApproveTitle" : "risk.reviews.confirmDenyTitle", { what: pending.label }) : ""}
        primaryAction={{
          content: pending?.decision === "deny" ? t("risk.reviews.deny") : t("risk.reviews.approve"),
          destructive: pending?.decision === "deny",
          loading: decide.state !== "idle",
          disabled: reason.trim() === "",
          onAction: submitDecision,
        }}
        secondaryActions={[{ content: t("team.cancel"), onAction: () => setPending(null) }]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            <Text as="p">{pending?.decision === "deny" ? t("risk.reviews.confirmDenyBody") : t("risk.reviews.confirmApproveBody")}</Text>
            {pending?.decision === "deny" ? (
              <BlockStack gap="100">
                <Checkbox label={t("risk.reviews.hostCancel")} helpText={t("risk.reviews.hostCancelHelp")} checked={hostCancel.cancel || hostCancel.refund} onChange={(on) => setHostCancel((h) => ({ ...h, cancel: on, refund: on ? h.refund : false }))} />
                <Box paddingInlineStart="600">
                  <BlockStack gap="100">
                    <Checkbox label={t("risk.reviews.hostRefund")} checked={hostCancel.refund} onChange={(on) => setHostCancel((h) => ({ ...h, refund: on, cancel: on || h.cancel }))} />
                    <Checkbox label={t("risk.reviews.hostRestock")} checked={hostCancel.restock} disabled={!(hostCancel.cancel || hostCancel.refund)} onChange={(on) => setHostCancel((h) => ({ ...h, restock: on }))} />
                  </BlockStack>
                </Box>
              </BlockStack>
            ) : null}
            <TextField
              label={t("risk.reviews.reason")}
              value={reason}
              onChange={setReason}
              autoComplete="off"
              multiline={2}
              maxLength={500}
              helpText={t("risk.reviews.reasonHelp")}
              error={modalError ? errorText(t, locale, modalError) : undefined}
            />
          </BlockStack>
        </Modal.Section>
      </Modal>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}
