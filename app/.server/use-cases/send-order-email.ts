import crypto from "node:crypto";
import { AccountScope } from "../db/repositories/account-scope.ts";
import { getAccount } from "../db/repositories/accounts-repo.ts";
import { getDelivery, markDeliveryPending, recordDeliveryOutcome } from "../db/repositories/deliveries-repo.ts";
import { findOrderById, listOrderLines } from "../db/repositories/orders-repo.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { chooseBuyerLocale } from "../domain/buyer-locale.ts";
import { countKeys, countPending, type DeliveryLine } from "../domain/delivery-content.ts";
import { renderEmail, templateWithOverrides, type EmailTemplate, type EmailTemplateField } from "../domain/email-template.ts";
import { IgnoredError, KeyrelayError, RetryableError } from "../domain/errors.ts";
import { parseStoreSettings, sendsOwnEmail } from "../domain/store-settings.ts";
import type { JobPayloads } from "../jobs/job-names.ts";
import type { JobContext } from "../jobs/job-queue.ts";
import { defaultDeliveryTemplate, deliveryEmailLines } from "../mail/delivery-email-text.ts";
import type { Services } from "../ports.ts";
import { matchLocale, translator } from "../../i18n/i18n.ts";
import { keyPageLink } from "./key-page-link.ts";
import { loadDeliveryContent, markOrderKeysDelivered } from "./load-delivery-content.ts";
import { deliveryWithheld } from "./risk-gate.ts";
import { storeIsInactive } from "../domain/store-status.ts";

type Deps = Pick<Services, "db" | "cipher" | "mailer" | "fingerprinter" | "config" | "sessionSecret">;

/**
 * The `send-email` job: mail the buyer every key their order holds now, in their language, from
 * the merchant's address.
 *
 * Skipped (delivery row "skipped", job done as ignored): the order or its store is gone, the store
 * is uninstalled or disconnected, the store does not send keyrelay's own email (checked again at
 * send time: the merchant may have switched it off since; an admin's resend overrides it), the
 * order has no buyer email, or there is nothing to say (no key and nothing waiting for stock).
 *
 * Exactly once per content: the delivery row keeps a reference of what was last mailed (a keyed
 * hash of recipient + keys + pending/withdrawn counts). A re-run that finds the same reference
 * already sent — the worker crashed after sending, a duplicate trigger, a fill that changed
 * nothing — sends nothing; a resend always sends. The window between the SMTP server accepting
 * the message and the row recording it stays at-least-once: a duplicate email beats a lost one.
 * Such a repeat carries the same Message-ID (order + reference), so mail systems fold the copies.
 *
 * Template: the pool of the order's first mapped line decides (an order mixing pools gets that
 * pool's template — one email, one voice); each of subject/HTML/text falls back to the catalog's
 * default on its own when the pool leaves it empty (or holds one that no longer validates).
 */
export async function sendOrderEmail(s: Deps, payload: JobPayloads["send-email"], ctx?: Pick<JobContext, "log" | "signal">): Promise<void> {
  const order = await findOrderById(s.db, payload.orderId);
  if (!order) throw new IgnoredError("order_not_found", "order no longer exists");
  // Reseller purchases are answered through the API, not mailed.
  if (!order.store_id) throw new IgnoredError("not_a_host_order", "the order has no store");
  const store = await findStoreById(s.db, order.store_id);
  if (!store || storeIsInactive(store.status)) return skip(s.db, order, "store_inactive", `store is ${store?.status ?? "gone"}`);
  if (payload.kind !== "resend" && !sendsOwnEmail(store.platform, parseStoreSettings(store.settings))) return skip(s.db, order, "store_email_off", "the store does not send keyrelay's email");
  if (!order.email) return skip(s.db, order, "no_buyer_email", "the order has no buyer email");
  // Held for review: nothing is mailed (not even recorded as skipped: approval stages the email).
  if (deliveryWithheld(order)) throw new IgnoredError("risk_hold", "the order is held for review");

  const previous = await getDelivery(s.db, order.id, "email");
  // Marked before the content is read: from here on the buyer may see these keys, so a refund
  // racing this send revokes them rather than putting them back on sale.
  await markOrderKeysDelivered(s.db, order.id);
  const content = await loadDeliveryContent(s, order);
  if (countKeys(content) === 0 && countPending(content) === 0) return skip(s.db, order, "nothing_to_send", "no keys and nothing waiting for stock");

  const reference = contentReference(s, order.email, content);
  if (payload.kind !== "resend" && previous?.status === "sent" && previous.reference === reference) {
    throw new IgnoredError("already_sent", "this content was already mailed");
  }

  const account = await getAccount(s.db, order.account_id);
  const locale = chooseBuyerLocale({ order: order.locale, store: store.locale, account: account?.default_locale }, matchLocale, "en");
  const t = translator(locale);
  const buyer = order.customer_name?.trim() ?? "";
  const template = await chooseTemplate(s, order, defaultDeliveryTemplate(t, payload.kind, { locale, hasBuyerName: buyer !== "" }), ctx);
  const url = keyPageLink(s, order.id);
  const link = { url, label: t("emails.delivery.linkLabel"), text: t("emails.delivery.link", { url }) };
  const mail = renderEmail(template, { shop: store.name, order: order.name ?? order.external_id, buyer, locale, lines: deliveryEmailLines(t, content), link });

  if (!previous) await markDeliveryPending(s.db, order.account_id, order.id, "email", new Date().toISOString());
  if (ctx?.signal.aborted) throw new RetryableError("claim_lost", "the job was handed to another worker");
  try {
    await s.mailer.send({
      to: order.email,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      from: account?.mail_from ?? undefined,
      fromName: account?.mail_sender_name ?? undefined,
      replyTo: account?.mail_reply_to ?? undefined,
      // A retry of the same content is the same message: the window above can repeat a send, and
      // mail systems fold copies with one Message-ID into one. A resend is a new message.
      messageId: payload.kind === "resend" ? undefined : messageIdFor(s, order.id, reference),
    });
  } catch (e) {
    // Only our own error messages are recorded and rethrown: they name the SMTP reply code, never
    // the message. Anything else becomes a retryable error with its code alone.
    const error = e instanceof KeyrelayError ? e : new RetryableError("mail_unavailable", `sending failed: ${(e as { code?: string }).code ?? "error"}`);
    await recordDeliveryOutcome(s.db, order.id, "email", { status: "failed", error: error.message });
    throw error;
  }
  await recordDeliveryOutcome(s.db, order.id, "email", { status: "sent", error: null, reference });
  ctx?.log.info({ orderId: order.id, kind: payload.kind, locale, keys: countKeys(content), pending: countPending(content) }, "delivery email sent");
}

async function skip(db: Executor, order: { id: string; account_id: string }, code: string, reason: string): Promise<never> {
  if (!(await getDelivery(db, order.id, "email"))) await markDeliveryPending(db, order.account_id, order.id, "email", new Date().toISOString());
  await recordDeliveryOutcome(db, order.id, "email", { status: "skipped", error: reason });
  throw new IgnoredError(code, reason);
}

/**
 * Names what the buyer was told, independent of the email's kind or wording. Keyed (the
 * installation's fingerprint HMAC, domain-separated) rather than a plain hash: the keys are in it,
 * and a short PIN must not be confirmable by hashing guesses against a database dump.
 */
/** `<hash@host>`: the order and the content reference, hashed again (the reference itself is never shown), at the app's host. */
function messageIdFor(s: Pick<Services, "config">, orderId: string, reference: string): string {
  const id = crypto.createHash("sha256").update(`keyrelay delivery email\n${orderId}\n${reference}`).digest("hex").slice(0, 40);
  return `<${id}@${new URL(s.config.appUrl).hostname || "keyrelay.invalid"}>`;
}

function contentReference(s: Pick<Services, "fingerprinter">, to: string, lines: DeliveryLine[]): string {
  const content = JSON.stringify([to.toLowerCase(), lines.map((l) => [l.orderLineId, l.keys.map((k) => [k.code, k.fields]), l.pendingUnits, l.releasedUnits])]);
  return s.fingerprinter.fingerprint(`keyrelay delivery email v1\n${content}`).toString("hex").slice(0, 32);
}

async function chooseTemplate(s: Pick<Services, "db">, order: { id: string; account_id: string }, fallback: EmailTemplate, ctx?: Pick<JobContext, "log">): Promise<EmailTemplate> {
  const first = (await listOrderLines(s.db, order.id)).find((l) => l.pool_id !== null);
  const pool = first?.pool_id ? await new AccountScope(s.db, order.account_id).getPool(first.pool_id) : undefined;
  if (!pool) return fallback;
  const own: Record<EmailTemplateField, string | null> = { subject: pool.email_subject, html: pool.email_html, text: pool.email_text };
  // Saved before validation existed, or edited in the database: the buyer still gets their keys.
  return templateWithOverrides(fallback, own, (field, code) => ctx?.log.warn({ poolId: pool.id, field, code }, "pool email template is invalid; using the default"));
}
