import { data } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import { RESELLER_SCOPES } from "../domain/reseller-scopes.ts";
import { setResellerCreditLimit, updateResellerProfile } from "../use-cases/edit-reseller.ts";
import { createResellerToken, revokeToken, type TokenSummary } from "../use-cases/manage-reseller-tokens.ts";
import { removeResellerPrice, requireReseller, setResellerPrice, setResellerSuspended } from "../use-cases/manage-resellers.ts";
import { changeResellerBalance } from "../use-cases/reseller-balance.ts";
import { getResellerDetail } from "../use-cases/reseller-detail.ts";
import { errorData, notFound, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";
import { resellerInviteAction } from "./reseller-invite-action.ts";

/**
 * One reseller's page in both surfaces (issue 14, merchant side): profile and limits, price list,
 * balance and credit limit, ledger, API tokens, its orders. resellers.manage, as the list page;
 * the reseller is looked up in the admin's account before any field is read, so another
 * account's id is a 404 that changes nothing. Every change goes through a use-case that audits.
 */

export async function resellerDetailLoader({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "resellers.manage");
  const url = new URL(request.url);
  // Where each list is: the page's links move one and keep the other.
  const cursors = { ledgerBefore: url.searchParams.get("ledgerBefore"), ordersBefore: url.searchParams.get("ordersBefore") };
  try {
    const detail = await getResellerDetail(s, admin.accountId, params.resellerId ?? "", cursors);
    return { base: admin.base, csrf: admin.csrf, ...detail, scopes: [...RESELLER_SCOPES], cursors };
  } catch (e) {
    if (e instanceof KeyrelayError && e.code === "reseller_not_found") throw notFound();
    throw e;
  }
}

export type ResellerDetailIntent = "profile" | "price-set" | "price-remove" | "topup" | "adjust" | "credit-limit" | "token-create" | "token-revoke" | "suspend" | "activate";

export type ResellerDetailActionData =
  | { ok: false; intent: string; error: PageError }
  | { ok: true; intent: Exclude<ResellerDetailIntent, "token-create">; at: number }
  | { ok: true; intent: "token-create"; at: number; token: string; summary: TokenSummary };

/** A date from the form's date field is the end of that day (UTC); anything else goes on to be refused. */
function expiryOf(v: string): string | null {
  const t = v.trim();
  if (!t) return null;
  return /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T23:59:59.999Z` : t;
}

export async function resellerDetailAction(args: PageArgs, surface: Surface) {
  const { request, context, params } = args;
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "resellers.manage");
  const actor = { ...admin.actor, ip: context.clientIp };
  let intent = "";
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    intent = form.get("intent") ?? "";
    const reseller = await requireReseller(s, admin.accountId, params.resellerId ?? "");
    // The portal invitation (issue 14): always for this page's reseller, whatever the form says.
    if (intent === "portal-invite") {
      form.set("resellerId", reseller.id);
      return resellerInviteAction(args, surface, form);
    }
    const id = reseller.id;
    const text = (k: string) => form.get(k) ?? "";
    const done = (i: Exclude<ResellerDetailIntent, "token-create">) => data<ResellerDetailActionData>({ ok: true, intent: i, at: Date.now() });
    switch (intent) {
      case "profile":
        await updateResellerProfile(s, admin.accountId, id, { name: text("name"), email: text("email"), maxUnitsPerOrder: text("maxUnitsPerOrder"), maxUnitsPerDay: text("maxUnitsPerDay"), ratePerSecond: text("ratePerSecond"), rateBurst: text("rateBurst") }, actor);
        return done(intent);
      case "price-set": {
        const discount = text("discount").trim();
        await setResellerPrice(s, admin.accountId, { resellerId: id, poolId: text("poolId"), ...(discount && !text("price").trim() ? { discount } : { price: text("price") }) }, actor);
        return done(intent);
      }
      case "price-remove":
        await removeResellerPrice(s, admin.accountId, { resellerId: id, poolId: text("poolId") }, actor);
        return done(intent);
      case "topup":
      case "adjust":
        await changeResellerBalance(s, admin.accountId, { resellerId: id, kind: intent === "topup" ? "topup" : "adjustment", amount: text("amount"), note: text("note") }, actor);
        return done(intent);
      case "credit-limit":
        await setResellerCreditLimit(s, admin.accountId, id, text("creditLimit"), actor);
        return done(intent);
      case "token-create": {
        const made = await createResellerToken(s, admin.accountId, { resellerId: id, scopes: form.getAll("scopes").join(","), name: text("name"), expiresAt: expiryOf(text("expires")), mode: text("mode") === "test" ? "test" : "live" }, actor);
        // The token is in this answer once: never cached, never in a URL.
        return data<ResellerDetailActionData>({ ok: true, intent, at: Date.now(), token: made.token, summary: made.summary }, { headers: { "Cache-Control": "no-store" } });
      }
      case "token-revoke":
        await revokeToken(s, admin.accountId, text("tokenId"), actor, { resellerId: id });
        return done(intent);
      case "suspend":
      case "activate":
        await setResellerSuspended(s, admin.accountId, id, intent === "suspend", actor);
        return done(intent);
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    const failed = errorData(e);
    return data({ ...failed.data, intent }, failed.init ?? undefined);
  }
}
