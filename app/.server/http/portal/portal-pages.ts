import crypto from "node:crypto";
import { data, redirect } from "react-router";
import { requirePortalUser, type SignedInReseller } from "../../auth/reseller-portal-session.ts";
import { getAccount } from "../../db/repositories/accounts-repo.ts";
import { InvalidInputError } from "../../domain/errors.ts";
import { RESELLER_SCOPES } from "../../domain/reseller-scopes.ts";
import { WEBHOOK_EVENTS } from "../../domain/reseller-webhook.ts";
import { placeResellerOrder } from "../../use-cases/place-reseller-order.ts";
import { getBalance, getCatalog, getResellerOrder, listBalanceEntries, listOrders } from "../../use-cases/read-reseller-api.ts";
import { downloadOrderKeys, maskedOrder } from "../../use-cases/reseller-portal-keys.ts";
import { createPortalToken, listPortalTokens, revokePortalToken } from "../../use-cases/reseller-portal-tokens.ts";
import { createWebhookEndpoint, deleteWebhookEndpoint, listWebhookEndpoints } from "../../use-cases/manage-webhook-endpoints.ts";
import { replayResellerWebhook } from "../../use-cases/replay-reseller-webhook.ts";
import { PlaceOrderBody } from "../reseller-api/schemas.ts";
import type { PageArgs } from "../pool-pages.ts";
import { readForm } from "../read-form.ts";
import { portalErrorData, portalNotFound } from "./portal-errors.ts";

/**
 * The portal's signed-in pages: every loader and action starts with requirePortalUser (the
 * reseller session, checked against its record and the reseller's status), and everything below
 * goes through the reseller use-cases the API runs, with the session's reseller as the caller —
 * so a reseller can only ever name its own orders, tokens, endpoints and deliveries.
 */

const PAGE_SIZE = 20;
/** A portal form's idempotency keys are told apart from an integration's own. */
const newOrderKey = () => `portal-${crypto.randomUUID()}`;

async function signedIn(args: PageArgs): Promise<SignedInReseller> {
  return requirePortalUser(args.context.services, args.request);
}

async function postedForm(who: SignedInReseller, request: Request): Promise<URLSearchParams> {
  const form = await readForm(request, 64 * 1024);
  who.checkCsrf(form.get("csrf"));
  return form;
}

export async function portalLayoutLoader(args: PageArgs) {
  const who = await signedIn(args);
  const account = await getAccount(args.context.services.db, who.reseller.account_id);
  return { email: who.user.email, resellerName: who.reseller.name, merchantName: account?.name ?? "", csrf: who.csrf };
}

export async function portalCatalogLoader(args: PageArgs) {
  const who = await signedIn(args);
  const s = args.context.services;
  const [catalog, balance] = await Promise.all([getCatalog(s, who.caller), getBalance(s, who.caller)]);
  return { csrf: who.csrf, items: catalog.data, balance, orderKey: newOrderKey() };
}

/**
 * Places an order by hand through the API's own use-case: the form carries an idempotency key
 * made when it was shown, so a double submit (two clicks, a retried post) replays the first
 * order instead of charging twice. Every answer brings a fresh key for the next order.
 */
export async function portalPlaceOrderAction(args: PageArgs) {
  const who = await signedIn(args);
  const s = args.context.services;
  const nextKey = newOrderKey();
  try {
    const form = await postedForm(who, args.request);
    const key = form.get("idempotencyKey") ?? "";
    if (!/^portal-[0-9a-f-]{36}$/.test(key)) throw new InvalidInputError("csrf", "This form has expired.");
    const reference = (form.get("reference") ?? "").trim();
    const raw = { pool: form.get("pool") ?? "", quantity: Number(form.get("quantity") ?? ""), ...(reference ? { reference } : {}) };
    const parsed = PlaceOrderBody.safeParse(raw);
    if (!parsed.success) {
      const named = String(parsed.error.issues[0]?.path[0] ?? "");
      const field = named === "pool" || named === "reference" ? named : "quantity";
      throw new InvalidInputError(`portal_order_${field}`, `${field} is not valid`, { field });
    }
    const placed = await placeResellerOrder(s, who.caller, key, raw, parsed.data, args.context.clientIp);
    return redirect(`/portal/orders/${encodeURIComponent(placed.order.id)}${placed.replayed ? "?replayed=1" : "?placed=1"}`);
  } catch (e) {
    return portalErrorData(e, { nextKey });
  }
}

export async function portalOrdersLoader(args: PageArgs) {
  const who = await signedIn(args);
  const cursor = new URL(args.request.url).searchParams.get("cursor") ?? undefined;
  try {
    const page = await listOrders(args.context.services, who.caller, { cursor, limit: PAGE_SIZE });
    return { orders: page.data, nextCursor: page.next_cursor, first: !cursor };
  } catch (e) {
    // A cursor this page never gave: the first page.
    if (cursor) throw redirect("/portal/orders");
    throw e;
  }
}

export async function portalOrderLoader(args: PageArgs) {
  const who = await signedIn(args);
  const url = new URL(args.request.url);
  try {
    const order = await maskedOrder(args.context.services, who.caller, args.params.orderId ?? "");
    return { csrf: who.csrf, order, placed: url.searchParams.has("placed"), replayed: url.searchParams.has("replayed") };
  } catch (e) {
    return portalNotFound(e);
  }
}

/** Reveal: the order's keys in plain text, audited (actor: the reseller; details: the portal user). */
export async function portalOrderAction(args: PageArgs) {
  const who = await signedIn(args);
  try {
    const form = await postedForm(who, args.request);
    if (form.get("intent") !== "reveal") throw new InvalidInputError("invalid_input", "unknown intent");
    const order = await getResellerOrder(args.context.services, who.caller, args.params.orderId ?? "", args.context.clientIp);
    return data({ ok: true as const, keys: order.keys }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return portalErrorData(e);
  }
}

/** The keys as a file (GET, so a plain link downloads it; the session cookie is SameSite=Lax and the answer unreadable cross-site). */
export async function portalOrderDownloadLoader(args: PageArgs) {
  const who = await signedIn(args);
  const format = new URL(args.request.url).searchParams.get("format") === "txt" ? "txt" : "csv";
  try {
    const file = await downloadOrderKeys(args.context.services, who.caller, args.params.orderId ?? "", format, args.context.clientIp);
    return new Response(file.body, {
      headers: { "Content-Type": file.contentType, "Content-Disposition": `attachment; filename="${file.filename}"`, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" },
    });
  } catch (e) {
    return portalNotFound(e);
  }
}

export async function portalBalanceLoader(args: PageArgs) {
  const who = await signedIn(args);
  const s = args.context.services;
  const cursor = new URL(args.request.url).searchParams.get("cursor") ?? undefined;
  try {
    const [balance, entries] = await Promise.all([getBalance(s, who.caller), listBalanceEntries(s, who.caller, { cursor, limit: PAGE_SIZE })]);
    return { balance, entries: entries.data, nextCursor: entries.next_cursor, first: !cursor };
  } catch (e) {
    if (cursor) throw redirect("/portal/balance");
    throw e;
  }
}

export async function portalTokensLoader(args: PageArgs) {
  const who = await signedIn(args);
  return { csrf: who.csrf, tokens: await listPortalTokens(args.context.services, who.caller), scopes: [...RESELLER_SCOPES] };
}

export async function portalTokensAction(args: PageArgs) {
  const who = await signedIn(args);
  const s = args.context.services;
  try {
    const form = await postedForm(who, args.request);
    const intent = form.get("intent");
    if (intent === "create") {
      const expires = (form.get("expires") ?? "").trim();
      const made = await createPortalToken(s, who.caller, { name: form.get("name"), scopes: form.getAll("scope").join(","), expiresAt: expires ? `${expires}T23:59:59Z` : null, sandbox: form.get("mode") === "test" });
      // The only time the token is shown: only its hash is kept.
      return data({ ok: true as const, intent, token: made.token, prefix: made.summary.prefix }, { headers: { "Cache-Control": "no-store" } });
    }
    if (intent === "revoke") {
      const t = await revokePortalToken(s, who.caller, form.get("tokenId") ?? "");
      return data({ ok: true as const, intent, prefix: t.prefix, token: null });
    }
    throw new InvalidInputError("invalid_input", "unknown intent");
  } catch (e) {
    return portalErrorData(e);
  }
}

export async function portalWebhooksLoader(args: PageArgs) {
  const who = await signedIn(args);
  const endpoints = await listWebhookEndpoints(args.context.services, who.caller);
  return { csrf: who.csrf, endpoints: endpoints.data, events: [...WEBHOOK_EVENTS] };
}

export async function portalWebhooksAction(args: PageArgs) {
  const who = await signedIn(args);
  const s = args.context.services;
  const ip = args.context.clientIp;
  try {
    const form = await postedForm(who, args.request);
    const intent = form.get("intent");
    if (intent === "add") {
      const events = form.getAll("event");
      const ep = await createWebhookEndpoint(s, who.caller, { url: (form.get("url") ?? "").trim(), events: events.length ? events : undefined }, ip);
      // The signing secret, shown once (stored sealed).
      return data({ ok: true as const, intent, secret: ep.secret, url: ep.url }, { headers: { "Cache-Control": "no-store" } });
    }
    if (intent === "remove") {
      await deleteWebhookEndpoint(s, who.caller, form.get("endpointId") ?? "", ip);
      return data({ ok: true as const, intent, secret: null, url: null });
    }
    if (intent === "replay") {
      await replayResellerWebhook(s, who.caller, Number(form.get("deliveryId")), ip);
      return data({ ok: true as const, intent, secret: null, url: null });
    }
    throw new InvalidInputError("invalid_input", "unknown intent");
  } catch (e) {
    return portalErrorData(e);
  }
}
