import { data } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import { getOrderDetail, requireAccountOrder } from "../use-cases/get-order-detail.ts";
import { listStores } from "../use-cases/list-stores.ts";
import { rerunOrder } from "../use-cases/rerun-order.ts";
import { resendOrderEmail } from "../use-cases/resend-order-email.ts";
import { reviewStatusOf } from "../use-cases/review-queue.ts";
import { answerDisputeOffer, disputeOfferOf } from "../use-cases/handle-dispute.ts";
import { retryFailedJob } from "../use-cases/retry-failed-job.ts";
import { revealKey } from "../use-cases/reveal-key.ts";
import { refundResellerOrder } from "../use-cases/refund-reseller-order.ts";
import { revokeOrderKey } from "../use-cases/revoke-order-key.ts";
import { searchOrders, type OrderChannel, type OrderSearchResult } from "../use-cases/search-orders.ts";
import { hostPageError } from "./host-page-error.ts";
import { errorData, notFound, type PageArgs, type PageError } from "./pool-pages.ts";
import { isChecked, readForm } from "./read-form.ts";

/**
 * The orders pages (list and search, one order with its actions) for both surfaces. A search may
 * be an exact key code, so searches are POSTed, never put in a URL.
 */

/** Like errorData, and a host failure (store unreachable, keys revoked) is an answer too, not a crash. */
function failure(e: unknown) {
  const host = hostPageError(e);
  if (host) return data({ ok: false as const, error: host }, { status: 502 });
  return errorData(e);
}

function positiveInt(v: string | null): number {
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : -1;
}

/** The list's channel filter (?channel=reseller|retail); anything else is every order. */
function channelOf(v: string | null): OrderChannel {
  return v === "reseller" || v === "retail" ? v : "all";
}

export async function ordersListLoader({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "orders.view");
  const url = new URL(request.url);
  const before = url.searchParams.get("before");
  const channel = channelOf(url.searchParams.get("channel"));
  const [page, stores] = await Promise.all([searchOrders(s, admin.accountId, { before, limit: 50, channel }), listStores(s, admin.accountId)]);
  return { base: admin.base, csrf: admin.csrf, page, paged: Boolean(before), channel, stores: stores.map((st) => ({ id: st.id, name: st.name, platform: st.platform })) };
}

export type OrdersListActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "search"; query: string; result: OrderSearchResult }
  | { ok: true; intent: "rerun"; orderId: string; allocated: number; backordered: number };

export async function ordersListAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "orders.view");
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "search") {
      const query = (form.get("q") ?? "").trim();
      // Matching a key code is a key lookup: only for a role that may find keys.
      const result = await searchOrders(s, admin.accountId, { query, limit: 50, byKey: admin.can("keys.find") });
      // The query goes back only when it matched no key: a key code is not echoed into the page.
      return data<OrdersListActionData>({ ok: true, intent, query: result.matchedBy === "key" ? "" : query, result }, { headers: { "Cache-Control": "no-store" } });
    }
    if (intent === "rerun") {
      await admin.require("orders.rerun");
      const outcome = await rerunOrder(s, admin.accountId, { storeId: form.get("storeId") ?? "", orderName: form.get("orderName") ?? "" }, admin.actor);
      return data<OrdersListActionData>({ ok: true, intent, orderId: outcome.orderId, allocated: outcome.allocated, backordered: outcome.backordered });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return failure(e);
  }
}

export async function orderDetailLoader({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "orders.view");
  try {
    const detail = await getOrderDetail(s, admin.accountId, params.orderId ?? "");
    // Held, approved, denied or blocked by the risk rules: said on the page, with a way to the queue.
    const review = await reviewStatusOf(s, admin.accountId, detail.order.id);
    // A dispute (chargeback) on the order: what it revoked, and the offer to block the buyer.
    const dispute = await disputeOfferOf(s, admin.accountId, detail.order.id);
    const allowed = {
      blockBuyer: admin.can("risk.manage"),
      reveal: admin.can("keys.reveal_in_order"),
      resend: admin.can("orders.resend"),
      rerun: admin.can("orders.rerun"),
      revoke: admin.can("orders.revoke"),
      // The way to the reseller's page, for a role that may open it.
      resellers: admin.can("resellers.manage"),
      // Refunding a reseller's order credits its balance: a reseller manager's call, like a top-up.
      resellerRefund: Boolean(detail.reseller) && admin.can("resellers.manage") && detail.order.status !== "refunded" && detail.order.status !== "cancelled",
    };
    return { base: admin.base, csrf: admin.csrf, ...detail, allowed, review, dispute };
  } catch (e) {
    if (e instanceof KeyrelayError && e.code === "order_not_found") throw notFound();
    throw e;
  }
}

export type OrderDetailActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "reveal"; keyId: number; code: string; fields: Record<string, string> }
  | { ok: true; intent: "resend" | "revoke" | "retry" }
  | { ok: true; intent: "dispute-answer"; blocked: { kind: "email" | "ip" | "card"; value: string }[] }
  | { ok: true; intent: "rerun"; allocated: number; backordered: number }
  | { ok: true; intent: "reseller-refund"; creditedMinor: number; currency: string; released: number };

/**
 * Every action is on the order in the URL: after the role's check (a refusal says what the role
 * lacks), another account's or an unknown order is a 404, whatever is asked.
 */
export async function orderDetailAction({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "orders.view");
  const orderId = params.orderId ?? "";
  const actor = { ...admin.actor, ip: context.clientIp };
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "reveal") {
      await admin.require("keys.reveal_in_order");
      await requireAccountOrder(s, admin.accountId, orderId);
      const keyId = positiveInt(form.get("keyId"));
      // Only a key this order holds: the order page is not a way to reveal any key of the account.
      const payload = await revealKey(s, admin.accountId, keyId, actor, { orderId });
      // Shown once: never cached by the browser or a proxy.
      return data<OrderDetailActionData>({ ok: true, intent, keyId, code: payload.code, fields: payload.fields }, { headers: { "Cache-Control": "no-store" } });
    }
    if (intent === "resend") {
      await admin.require("orders.resend");
      await requireAccountOrder(s, admin.accountId, orderId);
      await resendOrderEmail(s, admin.accountId, orderId, actor);
      return data<OrderDetailActionData>({ ok: true, intent });
    }
    if (intent === "rerun") {
      await admin.require("orders.rerun");
      await requireAccountOrder(s, admin.accountId, orderId);
      const outcome = await rerunOrder(s, admin.accountId, { orderId }, admin.actor);
      return data<OrderDetailActionData>({ ok: true, intent, allocated: outcome.allocated, backordered: outcome.backordered });
    }
    if (intent === "revoke") {
      await admin.require("orders.revoke");
      await requireAccountOrder(s, admin.accountId, orderId);
      await revokeOrderKey(s, admin.accountId, positiveInt(form.get("allocationId")), admin.actor, { orderId });
      return data<OrderDetailActionData>({ ok: true, intent });
    }
    if (intent === "dispute-answer") {
      await admin.require("risk.manage");
      await requireAccountOrder(s, admin.accountId, orderId);
      const r = await answerDisputeOffer(s, admin.accountId, orderId, { email: isChecked(form.get("blockEmail")), ip: isChecked(form.get("blockIp")), card: isChecked(form.get("blockCard")) }, actor);
      return data<OrderDetailActionData>({ ok: true, intent, blocked: r.blocked });
    }
    if (intent === "reseller-refund") {
      await admin.require("resellers.manage");
      await requireAccountOrder(s, admin.accountId, orderId);
      const r = await refundResellerOrder(s, admin.accountId, orderId, admin.actor);
      // A second refund (or a refund of a cancelled order) changes nothing and says so.
      if (r.alreadyRefunded) throw new InvalidInputError("reseller_order_already_refunded", "this reseller order is already refunded", { params: {} });
      return data<OrderDetailActionData>({ ok: true, intent, creditedMinor: r.creditedMinor, currency: r.currency, released: r.released });
    }
    if (intent === "retry") {
      await admin.require("orders.rerun");
      await requireAccountOrder(s, admin.accountId, orderId);
      await retryFailedJob(s, admin.accountId, positiveInt(form.get("jobId")), admin.actor);
      return data<OrderDetailActionData>({ ok: true, intent });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return failure(e);
  }
}
