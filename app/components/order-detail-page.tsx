import { Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, DataTable, InlineStack, Layout, Link, Modal, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useFetcher } from "react-router";
import { formatDateTime, formatMoney, formatNumber } from "../i18n/i18n.ts";
import type { OrderDetailActionData, orderDetailLoader } from "../.server/http/order-pages.ts";
import type { OrderUnit } from "../.server/use-cases/get-order-detail.ts";
import { DeliveryStatusBadge, Field, OrderStatusBadge, UnitStatusBadge, orderLabel } from "./order-ui.tsx";
import { Code, errorText, StateBadge, useLocale } from "./pool-ui.tsx";
import { RevealedKeyModal } from "./revealed-key-modal.tsx";

export type OrderDetailData = Awaited<ReturnType<typeof orderDetailLoader>>;

/** One order: its lines and keys (masked), deliveries, failed work, audit trail, and the actions on it. */
export function OrderDetailPage({ data }: { data: OrderDetailData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { base, csrf, order, store, reseller, lines, deliveries, failedJobs, audit, allowed } = data;
  const action = useFetcher<OrderDetailActionData>();
  const reveal = useFetcher<OrderDetailActionData>();
  const [revokeTarget, setRevokeTarget] = useState<OrderUnit | null>(null);
  const [refundOpen, setRefundOpen] = useState(false);
  const [dismissed, setDismissed] = useState<unknown>(null);
  const revealed = reveal.data?.ok && reveal.data.intent === "reveal" && reveal.data !== dismissed ? reveal.data : null;
  const busy = (intent: string, field?: string, value?: string) => action.state !== "idle" && action.formData?.get("intent") === intent && (!field || action.formData?.get(field) === value);
  const post = (fields: Record<string, string>) => action.submit({ ...fields, csrf }, { method: "post" });

  const done = action.state === "idle" && action.data?.ok ? action.data : null;
  const doneText = done
    ? done.intent === "rerun"
      ? t("orders.detail.rerunDone", { allocated: formatNumber(locale, done.allocated), backordered: formatNumber(locale, done.backordered) })
      : done.intent === "reseller-refund"
        ? t("resellerRefund.done", { amount: formatMoney(locale, done.creditedMinor, done.currency), released: formatNumber(locale, done.released) })
        : done.intent === "reveal"
        ? null
        : t(`orders.detail.done.${done.intent}`)
    : null;
  const actionError = action.data && !action.data.ok ? action.data.error : reveal.data && !reveal.data.ok ? reveal.data.error : null;

  const unitRows = (units: OrderUnit[]) =>
    units.map((u) => [
      formatNumber(locale, u.unitIndex + 1),
      u.masked ? <Code key="code">{u.masked}</Code> : "—",
      <UnitStatusBadge key="status" status={u.status} />,
      u.keyState ? <StateBadge key="key" state={u.keyState} /> : "—",
      <ButtonGroup key="actions">
        {u.keyId !== null && allowed.reveal ? (
          <Button
            size="slim"
            accessibilityLabel={t("keys.revealLabel", { id: u.keyId })}
            loading={reveal.state !== "idle" && reveal.formData?.get("keyId") === String(u.keyId)}
            onClick={() => reveal.submit({ intent: "reveal", keyId: String(u.keyId), csrf }, { method: "post" })}
          >
            {t("keys.reveal")}
          </Button>
        ) : null}
        {u.status === "allocated" && u.keyId !== null && allowed.revoke ? (
          <Button size="slim" tone="critical" variant="plain" onClick={() => setRevokeTarget(u)}>
            {t("orders.detail.revoke")}
          </Button>
        ) : null}
      </ButtonGroup>,
    ]);

  return (
    <Page
      title={t("orders.detail.title", { name: reseller && order.reference ? order.reference : orderLabel(order) })}
      titleMetadata={
        <InlineStack gap="200">
          <OrderStatusBadge status={order.status} />
          {reseller ? <Badge tone="info">{t("resellers.orders.badge", { name: reseller.name })}</Badge> : null}
        </InlineStack>
      }
      subtitle={t("orders.detail.subtitle", { date: formatDateTime(locale, order.placed_at ?? order.created_at), store: store?.name ?? reseller?.name ?? "—" })}
      backAction={{ content: t("orders.list.title"), url: `${base}/orders` }}
      primaryAction={allowed.rerun ? { content: t("orders.detail.rerun"), loading: busy("rerun"), disabled: !store, onAction: () => post({ intent: "rerun" }) } : undefined}
      secondaryActions={allowed.resend ? [{ content: t("orders.detail.resend"), loading: busy("resend"), disabled: !store || !order.email, onAction: () => post({ intent: "resend" }) }] : []}
    >
      <Layout>
        {data.review ? (
          <Layout.Section>
            <Banner
              tone={data.review.status === "held" ? "warning" : data.review.status === "waiting" ? "info" : data.review.status === "approved" ? "success" : "critical"}
              title={t(`risk.order.${data.review.status}`, { at: formatDateTime(locale, data.review.since) })}
              action={data.review.status === "held" ? { content: t("risk.order.open"), url: `${base}/risk/reviews` } : undefined}
            >
              {data.review.status === "held" ? <p>{t("risk.order.heldBody")}</p> : null}
              {data.review.status === "waiting" ? <p>{t("risk.order.waitingBody")}</p> : null}
              {data.review.reason ? <p>{t("risk.order.reason", { reason: data.review.reason })}</p> : null}
              {data.review.revisedTo ? <p>{t("hostRisk.revisedReason", { value: data.review.revisedTo })}</p> : null}
              {data.review.card ? <p>{t("risk.order.card", { card: data.review.card.masked, brand: data.review.card.brand ?? t("risk.card.unknownBrand") })}</p> : null}
            </Banner>
          </Layout.Section>
        ) : null}
        {data.dispute ? (
          <Layout.Section>
            <Banner tone="critical" title={t(`risk.dispute.title.${data.dispute.kind}`, { at: formatDateTime(locale, data.dispute.at) })}>
              <BlockStack gap="200">
                <p>{data.dispute.kind === "chargeback" ? t("risk.dispute.revoked", { revoked: data.dispute.revoked, returned: data.dispute.returned }) : t("risk.dispute.inquiry")}</p>
                {data.dispute.reason ? <p>{t("risk.dispute.reason", { reason: data.dispute.reason })}</p> : null}
                {allowed.blockBuyer ? (
                  <InlineStack gap="200" wrap>
                    {data.dispute.email ? (
                      <Button
                        loading={busy("dispute-answer", "blockEmail", "on")}
                        onClick={() => post({ intent: "dispute-answer", blockEmail: "on", ...(data.dispute?.ip ? { blockIp: "on" } : {}), ...(data.dispute?.card ? { blockCard: "on" } : {}) })}
                      >
                        {data.dispute.card
                          ? data.dispute.ip
                            ? t("risk.dispute.blockAllWithCard", { email: data.dispute.email, ip: data.dispute.ip, card: data.dispute.card })
                            : t("risk.dispute.blockEmailWithCard", { email: data.dispute.email, card: data.dispute.card })
                          : data.dispute.ip
                            ? t("risk.dispute.blockBoth", { email: data.dispute.email, ip: data.dispute.ip })
                            : t("risk.dispute.blockEmail", { email: data.dispute.email })}
                      </Button>
                    ) : null}
                    {data.dispute.card ? (
                      <Button loading={busy("dispute-answer", "blockCard", "on")} onClick={() => post({ intent: "dispute-answer", blockCard: "on" })}>
                        {t("risk.dispute.blockCard", { card: data.dispute.card })}
                      </Button>
                    ) : null}
                    {data.dispute.ip ? (
                      <Button loading={busy("dispute-answer", "blockIp", "on")} onClick={() => post({ intent: "dispute-answer", blockIp: "on" })}>
                        {t("risk.dispute.blockIp", { ip: data.dispute.ip })}
                      </Button>
                    ) : null}
                    <Button variant="plain" onClick={() => post({ intent: "dispute-answer" })}>
                      {t("risk.dispute.dismiss")}
                    </Button>
                  </InlineStack>
                ) : null}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        {actionError || doneText ? (
          <Layout.Section>
            {actionError ? <Banner tone="critical">{errorText(t, locale, actionError)}</Banner> : <Banner tone="success">{doneText}</Banner>}
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            {lines.length === 0 ? (
              <Card>
                <Text as="p" tone="subdued">
                  {t("orders.detail.noLines")}
                </Text>
              </Card>
            ) : null}
            {lines.map((l) => (
              <Card key={l.id} padding="0">
                <Box padding="400" paddingBlockEnd="200">
                  <BlockStack gap="100">
                    <InlineStack align="space-between" blockAlign="center" gap="200">
                      <Text as="h2" variant="headingMd">
                        {l.title || t("mapping.untitled")}
                      </Text>
                      {l.poolId ? (
                        <Link url={`${base}/pools/${l.poolId}`}>{l.poolName ?? l.poolId.slice(0, 8)}</Link>
                      ) : (
                        <Text as="span" tone="subdued">
                          {t("orders.detail.unmapped")}
                        </Text>
                      )}
                    </InlineStack>
                    <Text as="p" variant="bodySm" tone="subdued">
                      {t("orders.detail.lineSummary", {
                        quantity: formatNumber(locale, l.quantity),
                        refunded: formatNumber(locale, l.refundedQuantity),
                        units: formatNumber(locale, l.unitsPerItem),
                      })}
                    </Text>
                  </BlockStack>
                </Box>
                {l.units.length === 0 ? (
                  <Box padding="400" paddingBlockStart="0">
                    <Text as="p" tone="subdued">
                      {l.poolId ? t("orders.detail.noUnits") : t("orders.detail.unmappedHelp")}
                    </Text>
                  </Box>
                ) : (
                  <DataTable
                    columnContentTypes={["numeric", "text", "text", "text", "text"]}
                    headings={[t("orders.detail.columns.unit"), t("orders.detail.columns.key"), t("orders.detail.columns.status"), t("orders.detail.columns.keyState"), ""]}
                    rows={unitRows(l.units)}
                    verticalAlign="middle"
                  />
                )}
              </Card>
            ))}

            <Card padding="0">
              <Box padding="400" paddingBlockEnd="200">
                <Text as="h2" variant="headingMd">
                  {t("orders.detail.deliveries")}
                </Text>
              </Box>
              {deliveries.length === 0 ? (
                <Box padding="400" paddingBlockStart="0">
                  <Text as="p" tone="subdued">
                    {t("orders.detail.noDeliveries")}
                  </Text>
                </Box>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text", "text"]}
                  headings={[t("orders.detail.columns.channel"), t("orders.detail.columns.status"), t("orders.detail.columns.attempts"), t("orders.detail.columns.sentAt"), t("orders.detail.columns.error")]}
                  rows={deliveries.map((d) => [
                    t(`orders.channels.${d.channel}`),
                    <DeliveryStatusBadge key="status" status={d.status} />,
                    formatNumber(locale, d.attempts),
                    d.sent_at ? formatDateTime(locale, d.sent_at) : "—",
                    d.last_error ?? "",
                  ])}
                  verticalAlign="middle"
                />
              )}
            </Card>

            {failedJobs.length > 0 ? (
              <Card padding="0">
                <Box padding="400" paddingBlockEnd="200">
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingMd">
                      {t("orders.detail.failedJobs")}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t("orders.detail.failedJobsHelp")}
                    </Text>
                  </BlockStack>
                </Box>
                <DataTable
                  columnContentTypes={["text", "numeric", "text", "text", "text"]}
                  headings={[t("orders.detail.columns.queue"), t("orders.detail.columns.attempts"), t("orders.detail.columns.error"), t("orders.detail.columns.when"), ""]}
                  rows={failedJobs.map((j) => [
                    t([`orders.queues.${j.queue}`, "orders.queues.other"], { queue: j.queue }),
                    formatNumber(locale, j.attempts),
                    j.lastError ?? "",
                    formatDateTime(locale, j.updatedAt),
                    !allowed.rerun ? "" : <Button key="retry" size="slim" loading={busy("retry", "jobId", String(j.id))} onClick={() => post({ intent: "retry", jobId: String(j.id) })}>
                      {t("orders.detail.retry")}
                    </Button>,
                  ])}
                  verticalAlign="middle"
                />
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("orders.detail.buyer")}
                </Text>
                <Field label={t("orders.detail.email")} value={order.email ?? "—"} />
                {order.customer_name ? <Field label={t("orders.detail.customer")} value={order.customer_name} /> : null}
                <Field
                  label={t("orders.detail.total")}
                  value={order.total_minor === null ? "—" : order.currency ? formatMoney(locale, order.total_minor, order.currency) : formatNumber(locale, order.total_minor / 100)}
                />
                <Field label={t("orders.detail.payment")} value={order.financial_status ?? "—"} />
                <Field label={t("orders.detail.hostId")} value={order.external_id} />
                {store ? <Field label={t("orders.detail.store")} value={`${store.name} · ${t(`dashboard.stores.platform.${store.platform}`)}`} /> : null}
                {reseller ? (
                  <BlockStack gap="050">
                    <Text as="span" variant="bodySm" tone="subdued">
                      {t("resellers.orders.resellerLabel")}
                    </Text>
                    {allowed.resellers ? <Link url={`${base}/resellers/${reseller.id}`}>{reseller.name}</Link> : <Text as="span">{reseller.name}</Text>}
                  </BlockStack>
                ) : null}
                {reseller && order.reference ? <Field label={t("resellers.orders.referenceLabel")} value={order.reference} /> : null}
                {allowed.resellerRefund ? (
                  <InlineStack>
                    <Button tone="critical" loading={busy("reseller-refund")} onClick={() => setRefundOpen(true)}>
                      {t("resellerRefund.button")}
                    </Button>
                  </InlineStack>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("orders.detail.audit")}
                </Text>
                {audit.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("orders.detail.noAudit")}
                  </Text>
                ) : (
                  audit.map((a) => (
                    <BlockStack key={a.id} gap="050">
                      <Text as="span">{t([`orders.auditActions.${a.action.replace(".", "_")}`, "orders.auditActions.other"], { action: a.action, id: a.subjectId ?? "" })}</Text>
                      <Text as="span" variant="bodySm" tone="subdued">
                        {t("orders.detail.auditBy", { when: formatDateTime(locale, a.createdAt), who: t(`orders.actors.${a.actorType}`) })}
                      </Text>
                    </BlockStack>
                  ))
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />

      <Modal
        open={revokeTarget !== null}
        onClose={() => setRevokeTarget(null)}
        title={t("orders.detail.revokeTitle")}
        primaryAction={{
          content: t("orders.detail.revokeConfirm"),
          destructive: true,
          loading: busy("revoke"),
          onAction: () => {
            if (revokeTarget) post({ intent: "revoke", allocationId: String(revokeTarget.allocationId) });
            setRevokeTarget(null);
          },
        }}
        secondaryActions={[{ content: t("pools.form.cancel"), onAction: () => setRevokeTarget(null) }]}
      >
        <Modal.Section>
          <Text as="p">{t("orders.detail.revokeBody", { key: revokeTarget?.masked ?? "" })}</Text>
        </Modal.Section>
      </Modal>

      <Modal
        open={refundOpen}
        onClose={() => setRefundOpen(false)}
        title={t("resellerRefund.title")}
        primaryAction={{
          content: t("resellerRefund.confirm"),
          destructive: true,
          onAction: () => {
            post({ intent: "reseller-refund" });
            setRefundOpen(false);
          },
        }}
        secondaryActions={[{ content: t("pools.form.cancel"), onAction: () => setRefundOpen(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t("resellerRefund.body", { amount: order.total_minor !== null && order.currency ? formatMoney(locale, order.total_minor, order.currency) : "—", reseller: reseller?.name ?? "" })}</Text>
        </Modal.Section>
      </Modal>

      <RevealedKeyModal revealed={revealed} onClose={() => setDismissed(reveal.data)} />
    </Page>
  );
}
