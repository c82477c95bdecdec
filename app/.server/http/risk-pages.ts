import { data } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { LIST_KINDS } from "../domain/risk-lists.ts";
import { DEFAULT_RULES, RISK_ACTIONS } from "../domain/risk-rules.ts";
import { riskLookups } from "../risk/risk-lookups.ts";
import { backtestRiskRule, type BacktestResult } from "../use-cases/backtest-risk-rule.ts";
import { requireAccountOrder } from "../use-cases/get-order-detail.ts";
import { addRiskListEntries, listRiskListEntries, removeRiskListEntry } from "../use-cases/manage-risk-lists.ts";
import { addRiskRule, listRiskRules, moveRiskRule, removeRiskRule } from "../use-cases/manage-risk-rules.ts";
import { approveHeldOrder, denyHeldOrder, type HostCancelChoice } from "../use-cases/review-held-order.ts";

/** The deny form's host options: cancel on the store, and (implying it) refund; restock as ticked. */
function hostCancelOf(form: URLSearchParams): HostCancelChoice {
  const on = (name: string) => isChecked(form.get(name));
  return { cancel: on("hostCancel") || on("hostRefund"), refund: on("hostRefund"), restock: on("hostRestock") };
}
import { reviewQueue, type ReviewQueuePage } from "../use-cases/review-queue.ts";
import { errorData, type PageArgs, type PageError } from "./pool-pages.ts";
import { isChecked, readForm } from "./read-form.ts";

/**
 * The risk pages of both surfaces (issue 13): the review queue (/risk/reviews) and the rules and
 * lists (/risk/rules). Every member who may see orders sees both; deciding a held order needs
 * reviews.decide, changing rules or lists risk.manage. Another account's order, rule or list
 * entry is a 404, whatever is asked.
 */

const MAX_BULK_REVIEW = 100;

/**
 * A default rule as installed (same name and condition) is shown by its catalog name, so a
 * merchant reading Chinese reads its name in Chinese; a renamed or merchant-written rule is shown
 * as written. null when it is not a preset.
 */
function presetOf(name: string, when: string | null): number | null {
  // Before migration 0027 the velocity defaults did not leave resellers out: decisions made with
  // those versions name the rule by its old condition.
  const i = DEFAULT_RULES.findIndex((d) => d.name === name && (d.when === when || d.when === `${when} and platform != reseller`));
  return i < 0 ? null : i;
}
const MAX_REASON = 500;

// ---------------------------------------------------------------------------------------------
// Review queue

export async function reviewsLoader({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "orders.view");
  const params = new URL(request.url).searchParams;
  const page = Number(params.get("page") ?? "1");
  // ?rule= filters by the rule that decided the hold (a rule id says nothing about a buyer).
  const queue = withPresets(await reviewQueue(s, admin.accountId, { page: Number.isSafeInteger(page) ? page : 1, ruleId: params.get("rule") }));
  // "Held for 3 h" is counted against the server's clock, so both renders say the same.
  return { base: admin.base, csrf: admin.csrf, queue, canDecide: admin.can("reviews.decide"), now: new Date().toISOString() };
}

function withPresets(q: ReviewQueuePage) {
  return {
    ...q,
    orders: q.orders.map((o) => ({ ...o, rules: o.rules.map((r) => ({ ...r, preset: presetOf(r.name, r.when) })) })),
    byRule: q.byRule.map((r) => ({ ...r, preset: presetOf(r.name, r.when) })),
  };
}
export type QueuePage = ReturnType<typeof withPresets>;

export type ReviewsActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "search"; queue: QueuePage }
  | { ok: true; intent: "approve" | "deny"; done: string[]; failed: { orderId: string; error: PageError }[]; released: number };

function reasonOf(form: URLSearchParams): string {
  const reason = (form.get("reason") ?? "").trim();
  if (reason === "") throw new InvalidInputError("risk_review_reason_required", "say why (it goes in the audit log)", { field: "reason", params: {} });
  if (reason.length > MAX_REASON) throw new InvalidInputError("risk_review_reason_too_long", `the reason is longer than ${MAX_REASON} characters`, { field: "reason", params: { max: MAX_REASON } });
  return reason;
}

export async function reviewsAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "orders.view");
  const actor = { ...admin.actor, ip: context.clientIp };
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "search") {
      // POSTed, like the orders search: a buyer's email does not belong in a URL or a log line.
      const queue = withPresets(await reviewQueue(s, admin.accountId, { query: form.get("q") ?? "" }));
      return data<ReviewsActionData>({ ok: true, intent, queue }, { headers: { "Cache-Control": "no-store" } });
    }
    if (intent === "approve" || intent === "deny") {
      await admin.require("reviews.decide");
      const ids = [...new Set(form.getAll("orderId").map((v) => v.trim()).filter(Boolean))];
      if (ids.length === 0) throw new InvalidInputError("risk_review_none_selected", "choose at least one order", { field: "orderId", params: {} });
      if (ids.length > MAX_BULK_REVIEW) throw new InvalidInputError("risk_review_too_many", `at most ${MAX_BULK_REVIEW} orders at once`, { field: "orderId", params: { max: MAX_BULK_REVIEW } });
      // Every order must be this account's before any is decided: another account's id is a 404 and changes nothing.
      for (const id of ids) await requireAccountOrder(s, admin.accountId, id);
      const reason = reasonOf(form);
      const done: string[] = [];
      const failed: { orderId: string; error: PageError }[] = [];
      let released = 0;
      for (const id of ids) {
        try {
          if (intent === "approve") await approveHeldOrder(s, admin.accountId, id, actor, reason);
          else released += (await denyHeldOrder(s, admin.accountId, id, actor, reason, hostCancelOf(form))).released;
          done.push(id);
        } catch (e) {
          // One already decided (by a colleague a moment ago) does not stop the others.
          if (!(e instanceof InvalidInputError)) throw e;
          failed.push({ orderId: id, error: { code: e.code, params: e.params, field: e.field } });
        }
      }
      // A single order that could not be decided is the answer's error (400), as the CLI says it.
      if (done.length === 0 && failed.length === 1) return data<ReviewsActionData>({ ok: false, error: failed[0]!.error }, { status: 400 });
      return data<ReviewsActionData>({ ok: true, intent, done, failed, released });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return errorData(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Rules and lists

export async function rulesLoader({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "orders.view");
  const [rules, entries] = await Promise.all([listRiskRules(s, admin.accountId), listRiskListEntries(s, admin.accountId)]);
  return {
    base: admin.base,
    csrf: admin.csrf,
    version: rules.version,
    // In the order they are checked: allow, then block, then review, each in the merchant's order.
    rules: rules.rules
      .map((r) => ({ ...r, preset: presetOf(r.name, r.when) }))
      .sort((a, b) => RISK_ACTIONS.indexOf(a.then) - RISK_ACTIONS.indexOf(b.then) || a.position - b.position),
    entries: entries.map((e) => ({ id: e.id, kind: e.kind, value: e.value, action: e.action, expiresAt: e.expiresAt, note: e.note, active: e.active })),
    actions: RISK_ACTIONS,
    kinds: LIST_KINDS,
    canManage: admin.can("risk.manage"),
  };
}

export type RulesActionData =
  | { ok: false; intent: string | null; error: PageError }
  | { ok: true; intent: "add"; version: number; ruleId: string }
  | { ok: true; intent: "remove" | "move"; version: number }
  | { ok: true; intent: "test"; result: BacktestResult }
  | { ok: true; intent: "list-add"; added: number; updated: number }
  | { ok: true; intent: "list-remove" };

export async function rulesAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "risk.manage");
  const actor = { ...admin.actor, ip: context.clientIp };
  let intent: string | null = null;
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    intent = form.get("intent");
    if (intent === "add") {
      const r = await addRiskRule(s, admin.accountId, { when: form.get("when") ?? "", then: form.get("then") ?? "", name: form.get("name") ?? "", shadow: isChecked(form.get("shadow")) }, actor);
      return data<RulesActionData>({ ok: true, intent, version: r.version, ruleId: r.rule.id });
    }
    if (intent === "remove") {
      const r = await removeRiskRule(s, admin.accountId, form.get("ruleId") ?? "", actor);
      return data<RulesActionData>({ ok: true, intent, version: r.version });
    }
    if (intent === "move") {
      const r = await moveRiskRule(s, admin.accountId, form.get("ruleId") ?? "", form.get("direction"), actor);
      return data<RulesActionData>({ ok: true, intent, version: r.version });
    }
    if (intent === "test") {
      const days = form.get("days");
      const result = await backtestRiskRule(s, riskLookups, admin.accountId, { when: form.get("when") ?? "", days: days === null || days === "" ? undefined : days });
      // Its examples carry buyers' emails: not for a shared cache.
      return data<RulesActionData>({ ok: true, intent, result }, { headers: { "Cache-Control": "no-store" } });
    }
    if (intent === "list-add") {
      const r = await addRiskListEntries(s, admin.accountId, { kind: form.get("kind"), action: form.get("action"), values: form.get("values") ?? "", expiresIn: form.get("expiresIn") || null, note: form.get("note") }, actor);
      return data<RulesActionData>({ ok: true, intent, added: r.added, updated: r.updated });
    }
    if (intent === "list-remove") {
      await removeRiskListEntry(s, admin.accountId, form.get("entryId") ?? "", actor);
      return data<RulesActionData>({ ok: true, intent });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    const answer = errorData(e);
    return data<RulesActionData>({ ...answer.data, intent }, answer.init ?? undefined);
  }
}
