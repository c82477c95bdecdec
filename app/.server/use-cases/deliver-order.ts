import crypto from "node:crypto";
import { isHostError } from "../../../connectors/host-error.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import { getDelivery, recordDeliveryOutcome } from "../db/repositories/deliveries-repo.ts";
import { findOrderById } from "../db/repositories/orders-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { chooseBuyerLocale } from "../domain/buyer-locale.ts";
import { countKeys, countPending, formatKey } from "../domain/delivery-content.ts";
import { renderDeliveryNote } from "../domain/delivery-note.ts";
import { IgnoredError } from "../domain/errors.ts";
import { matchLocale, textTranslator } from "../../i18n/i18n.ts";
import type { JobContext } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { hostFailure } from "./host-failure.ts";
import { keyPageLink } from "./key-page-link.ts";
import { loadDeliveryContent, markOrderKeysDelivered } from "./load-delivery-content.ts";
import { deliveryWithheld } from "./risk-gate.ts";
import { storeIsInactive } from "../domain/store-status.ts";
import type { Order, Store } from "../db/schema.ts";
import { recordVerdict, sendVerdictWithDelivery } from "./write-risk-assessment.ts";

/**
 * The `deliver-order` job: write the order's keys into the host order — Shopify: our block in the
 * order note + an app metafield; WooCommerce: a customer note (which WooCommerce emails) + order
 * meta. The content is named by a hash (the reference): the connector writes a given reference at
 * most once, so a retry after a crash or a re-run never duplicates a note. A failing host never
 * touches the allocation: keys stay with the order while the write is retried.
 */
type Deps = Pick<Services, "db" | "cipher" | "connectors" | "config" | "sessionSecret" | "metrics" | "jobs">;

export async function deliverOrder(s: Deps, payload: { orderId: string }, ctx?: Pick<JobContext, "log">): Promise<{ written: boolean }> {
  const order = await findOrderById(s.db, payload.orderId);
  if (!order?.store_id) throw new IgnoredError("order_not_found", "order no longer exists");
  const store = await findStoreById(s.db, order.store_id);
  if (!store || storeIsInactive(store.status)) {
    await recordDeliveryOutcome(s.db, order.id, "note", { status: "skipped", error: `store is ${store?.status ?? "gone"}` });
    throw new IgnoredError("store_inactive", "the store is no longer connected");
  }
  // Held for review (or denied): nothing goes to the host until a person approves (risk-gate.ts).
  if (deliveryWithheld(order)) return { written: false };
  const keys = await writeKeys(s, order, store);
  // keyrelay's verdict on an order delivered at once goes with its keys (after them: the keys
  // first), and both outcomes are recorded in one commit. (A crash before it: the re-run finds the
  // note written and writes nothing; the verdict may be sent twice, as a retried job would.)
  const verdict = await sendVerdictWithDelivery(s, order, store, ctx?.log);
  const recorded = verdict === "handed over" ? null : verdict;
  if (keys.sent || recorded) {
    await s.db.transaction().execute(async (trx) => {
      if (keys.sent) await recordDeliveryOutcome(trx, order.id, "note", { status: "sent", error: null, reference: keys.sent.reference });
      if (recorded) await recordVerdict(trx, order, recorded);
    });
  }
  if (keys.sent) {
    // Once per order: a later rewrite (a refund, a filled backorder) is the same order delivered.
    // (sent_at survives the row going back to pending for that rewrite.)
    if (keys.sent.firstTime) s.metrics.orderDelivered(store.platform);
    ctx?.log.info({ orderId: order.id, keys: keys.sent.keys, pending: keys.sent.pending }, "keys written to the host order");
  }
  return { written: Boolean(keys.sent) };
}

/** The keys written into the host order; `sent`: written now, its outcome for the caller to record. */
interface WrittenKeys {
  sent?: { reference: string; firstTime: boolean; keys: number; pending: number };
}

async function writeKeys(s: Deps, order: Order, store: Store): Promise<WrittenKeys> {
  await markOrderKeysDelivered(s.db, order.id);
  const lines = await loadDeliveryContent(s, order);
  if (countKeys(lines) === 0 && countPending(lines) === 0 && lines.every((l) => l.releasedUnits === 0)) {
    await recordDeliveryOutcome(s.db, order.id, "note", { status: "skipped", error: null });
    return {};
  }
  const account = await getAccount(s.db, order.account_id);
  const locale = chooseBuyerLocale({ order: order.locale, store: store.locale, account: account?.default_locale }, matchLocale, "en");
  const t = textTranslator(locale);
  const noteText = renderDeliveryNote(t, lines, { keyPageUrl: keyPageLink(s, order.id) });
  // The reference names the keys, not the link: the link's deadline moves with every run, and a
  // re-run with the same keys must not write a second note.
  const reference = crypto.createHash("sha256").update(renderDeliveryNote(t, lines)).digest("hex").slice(0, 32);
  const previous = await getDelivery(s.db, order.id, "note");
  if (previous?.status === "sent" && previous.reference === reference) return {};

  const connector = await s.connectors.forStore(store);
  try {
    await connector.writeDelivery({
      externalOrderId: order.external_id,
      reference,
      noteText,
      lines: lines.map((l) => ({ externalLineId: l.externalLineId, title: l.title, codes: l.keys.map(formatKey), pendingUnits: l.pendingUnits })),
    });
  } catch (e) {
    // The error says what the host answered; it never carries the note (our connectors strip it).
    const willRetry = !isHostError(e) || e.kind === "retryable";
    await recordDeliveryOutcome(s.db, order.id, "note", { status: willRetry ? "pending" : "failed", error: e instanceof Error ? e.message : String(e) });
    return hostFailure(s, store, e);
  }
  return { sent: { reference, firstTime: !previous?.sent_at, keys: countKeys(lines), pending: countPending(lines) } };
}
