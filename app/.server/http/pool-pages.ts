import { data, redirect, type AppLoadContext } from "react-router";
import { requirePageAdmin, type PageAdmin, type Surface } from "../auth/admin-context.ts";
import type { KeyState, Pool } from "../db/schema.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import { KEY_STATES } from "../domain/key-states.ts";
import { findKeyByCode } from "../use-cases/find-key.ts";
import { listPoolKeys } from "../use-cases/list-pool-keys.ts";
import { archivePool, createPool, editPool, getPoolDetail, listPoolSummaries, type PoolDetail } from "../use-cases/manage-pools.ts";
import { getAccountSettings } from "../use-cases/manage-settings.ts";
import { revealKey } from "../use-cases/reveal-key.ts";
import { voidBatch } from "../use-cases/void-batch.ts";
import { isChecked, readForm } from "./read-form.ts";

/**
 * The pool pages' loaders and actions, shared by the standalone admin (/admin/pools…) and the
 * page embedded in Shopify (/app/pools…): the route modules only say which surface they are.
 * Thin, as routes are: read the request, call a use-case, shape the answer.
 */

export interface PageArgs {
  request: Request;
  context: AppLoadContext;
  params: Record<string, string | undefined>;
}

/** An error a page shows: a catalog code (errors.<code> or import.errors.<code>), its params, the field it is about. */
export interface PageError {
  code: string;
  params: Record<string, string | number>;
  field?: string;
}

/** What every failed action answers: the error and an HTTP status that says what kind it is. */
export function errorData(e: unknown) {
  if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
  const error: PageError = { code: e.code, params: e.params, field: "field" in e && typeof e.field === "string" ? e.field : undefined };
  return data({ ok: false as const, error }, { status: statusOf(e.code) });
}

export function statusOf(code: string): number {
  if (code === "csrf" || code === "forbidden") return 403;
  if (code === "file_too_large" || code === "body_too_large") return 413;
  if (code === "link_rate_limited" || code === "mail_test_rate_limited") return 429;
  if (code === "store_link_not_permitted") return 403;
  // Another account's id is answered as an unknown one: 404, nothing said about whose it is.
  if (code === "pool_not_found" || code === "key_not_found" || code === "batch_not_found" || code === "store_not_found") return 404;
  if (code === "team_member_not_found" || code === "team_invitation_not_found") return 404;
  if (code === "order_not_found" || code === "mapping_not_found" || code === "job_not_found" || code === "allocation_not_found") return 404;
  if (code === "risk_rule_not_found" || code === "risk_list_entry_not_found") return 404;
  if (code === "reseller_order_already_refunded") return 409;
  if (code === "reseller_not_found" || code === "reseller_token_not_found") return 404;
  return 400;
}

export function notFound(): Response {
  return new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain" } });
}

/** Runs a loader body, turning "no such pool" (another account's id, a typo) into a 404 page. */
async function orNotFound<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof KeyrelayError && (e.code === "pool_not_found" || e.code === "invalid_input")) throw notFound();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Pools list

export async function poolsListLoader({ request, context }: PageArgs, surface: Surface) {
  const admin = await requirePageAdmin(context.services, request, surface, "pools.view");
  const showArchived = new URL(request.url).searchParams.get("archived") === "1";
  const all = await listPoolSummaries(context.services, admin.accountId, { includeArchived: showArchived });
  const pools = showArchived ? all.filter((p) => p.archived) : all;
  return { base: admin.base, pools, showArchived, canCreate: admin.can("pools.manage") };
}

// ---------------------------------------------------------------------------------------------
// Create and edit

/** The pool form's fields as the browser sends them. */
export interface PoolFormValues {
  name: string;
  sku: string;
  notes: string;
  lowStockThreshold: string;
  defaultCost: string;
  currency: string;
  formatRegex: string;
  caseInsensitive: boolean;
  refundPolicy: "revoke" | "return_if_unseen";
  revealOnClick: boolean;
  deliveryTemplate: string;
}

export function poolFormValues(pool?: Pool): PoolFormValues {
  return {
    name: pool?.name ?? "",
    sku: pool?.sku ?? "",
    notes: pool?.notes ?? "",
    lowStockThreshold: String(pool?.low_stock_threshold ?? 0),
    // Stored in minor units of two decimals (toMinorUnits' default).
    defaultCost: pool?.default_cost_minor == null ? "" : (pool.default_cost_minor / 100).toFixed(2),
    currency: pool?.currency ?? "",
    formatRegex: pool?.format_regex ?? "",
    caseInsensitive: pool?.case_insensitive === 1,
    refundPolicy: pool?.refund_policy ?? "revoke",
    revealOnClick: pool?.reveal_on_click === 1,
    deliveryTemplate: pool?.delivery_template ?? "",
  };
}

/**
 * The form's fields as PoolInput expects them. Checkboxes are real booleans (PoolInput coerces,
 * and "false" would be true); an empty currency is left out (PoolInput wants three letters or
 * nothing).
 */
function poolInputFrom(form: URLSearchParams) {
  const text = (k: string) => form.get(k) ?? "";
  const currency = text("currency").trim();
  const threshold = text("lowStockThreshold").trim();
  return {
    name: text("name"),
    sku: text("sku"),
    notes: text("notes"),
    lowStockThreshold: threshold === "" ? 0 : threshold,
    defaultCost: text("defaultCost"),
    currency: currency === "" ? undefined : currency,
    formatRegex: text("formatRegex"),
    caseInsensitive: isChecked(form.get("caseInsensitive")),
    refundPolicy: text("refundPolicy") || "revoke",
    revealOnClick: isChecked(form.get("revealOnClick")),
    deliveryTemplate: text("deliveryTemplate"),
  };
}


export async function newPoolLoader({ request, context }: PageArgs, surface: Surface) {
  const admin = await requirePageAdmin(context.services, request, surface, "pools.manage");
  // A new pool starts with the account's low-stock threshold and currency (the settings page).
  const defaults = await getAccountSettings(context.services, admin.accountId);
  return { base: admin.base, csrf: admin.csrf, values: { ...poolFormValues(), lowStockThreshold: String(defaults["low_stock.threshold"]), currency: defaults["account.currency"] } };
}

export async function newPoolAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "pools.manage");
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const pool = await createPool(s, admin.accountId, poolInputFrom(form), admin.actor);
    return redirect(`${admin.base}/pools/${pool.id}`);
  } catch (e) {
    return errorData(e);
  }
}

export async function editPoolLoader({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "pools.manage");
  const detail = await orNotFound(() => getPoolDetail(s, admin.accountId, params.poolId ?? ""));
  return { base: admin.base, csrf: admin.csrf, poolId: detail.pool.id, poolName: detail.pool.name, values: poolFormValues(detail.pool) };
}

export async function editPoolAction({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "pools.manage");
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    // Every field is sent: PoolInput.partial() would reset the ones left out to their defaults.
    const pool = await editPool(s, admin.accountId, params.poolId ?? "", poolInputFrom(form), admin.actor);
    return redirect(`${admin.base}/pools/${pool.id}`);
  } catch (e) {
    return errorData(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Pool detail

const KEYS_PER_PAGE = 50;
/** The states a key list can be filtered by (never `importing`: those keys are not stock yet). */
export const LISTED_STATES = KEY_STATES.filter((st) => st !== "importing");

function keyStateParam(v: string | null): KeyState | undefined {
  return v && (LISTED_STATES as readonly string[]).includes(v) ? (v as KeyState) : undefined;
}

export type PoolDetailBatch = PoolDetail["batches"][number];

export async function poolDetailLoader({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "pools.view");
  const url = new URL(request.url);
  const state = keyStateParam(url.searchParams.get("state"));
  const beforeRaw = Number(url.searchParams.get("before"));
  const before = Number.isSafeInteger(beforeRaw) && beforeRaw > 0 ? beforeRaw : undefined;
  const detail = await orNotFound(() => getPoolDetail(s, admin.accountId, params.poolId ?? ""));
  const page = await listPoolKeys(s, admin.accountId, detail.pool.id, { state, beforeId: before, limit: KEYS_PER_PAGE });
  return {
    base: admin.base,
    csrf: admin.csrf,
    pool: detail.pool,
    summary: detail.summary,
    batches: detail.batches,
    keys: page.keys,
    nextBeforeId: page.nextBeforeId,
    filter: { state: state ?? null, before: before ?? null },
    // What the role may do here: the page hides the rest (the actions refuse it anyway).
    allowed: {
      manage: admin.can("pools.manage"),
      importKeys: admin.can("imports.run"),
      find: admin.can("keys.find"),
      reveal: admin.can("keys.reveal"),
      export: admin.can("keys.export"),
    },
  };
}

/** Answers of the pool detail page's actions, told apart by `intent`. */
export type PoolDetailActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "archive" | "unarchive" }
  | { ok: true; intent: "voidBatch"; voided: number }
  | { ok: true; intent: "find"; found: { keyId: number; poolId: string; poolName: string; batchId: string; state: KeyState } | null }
  | { ok: true; intent: "reveal"; keyId: number; code: string; fields: Record<string, string> };

export async function poolDetailAction({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin: PageAdmin = await requirePageAdmin(s, request, surface, "pools.view");
  const poolId = params.poolId ?? "";
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "archive" || intent === "unarchive") {
      await admin.require("pools.manage");
      await archivePool(s, admin.accountId, poolId, intent === "archive", admin.actor);
      return data<PoolDetailActionData>({ ok: true, intent });
    }
    if (intent === "voidBatch") {
      await admin.require("pools.manage");
      const { voided } = await voidBatch(s, admin.accountId, form.get("batchId") ?? "", admin.actor);
      return data<PoolDetailActionData>({ ok: true, intent, voided });
    }
    if (intent === "find") {
      await admin.require("keys.find");
      // The search covers the account's keys, but it is asked from this pool's page: another
      // account's pool (or an unknown one) is answered 404 like every other action on it.
      await getPoolDetail(s, admin.accountId, poolId);
      // The code arrives in the body, never in a URL; only the key's id and state go back.
      const hit = await findKeyByCode(s, admin.accountId, form.get("code") ?? "");
      if (!hit) return data<PoolDetailActionData>({ ok: true, intent, found: null });
      const owner = await getPoolDetail(s, admin.accountId, hit.poolId).catch(() => null);
      return data<PoolDetailActionData>({ ok: true, intent, found: { ...hit, poolName: owner?.pool.name ?? "" } });
    }
    if (intent === "reveal") {
      await admin.require("keys.reveal");
      const keyId = Number(form.get("keyId"));
      const payload = await revealKey(s, admin.accountId, Number.isSafeInteger(keyId) ? keyId : -1, { ...admin.actor, ip: context.clientIp });
      // Shown once: never cached by the browser or a proxy.
      return data<PoolDetailActionData>({ ok: true, intent, keyId, code: payload.code, fields: payload.fields }, { headers: { "Cache-Control": "no-store" } });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return errorData(e);
  }
}
