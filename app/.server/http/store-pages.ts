import { data } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { connectWooCommerceStore } from "../use-cases/connect-woocommerce-store.ts";
import { createLinkCode } from "../use-cases/create-link-code.ts";
import { redeemLinkCode } from "../use-cases/redeem-link-code.ts";
import { splitOffStore } from "../use-cases/split-off-store.ts";
import { listStores } from "../use-cases/list-stores.ts";
import { updateStoreSettings } from "../use-cases/update-store-settings.ts";
import { errorData, type PageArgs, type PageError } from "./pool-pages.ts";
import { isChecked, readForm } from "./read-form.ts";

/**
 * The stores page (list, connect a WooCommerce store, per-store settings) for both surfaces.
 * Thin: read the request, call a use-case, shape the answer. The consumer secret is read from the
 * form and handed to the use-case; it never comes back in an answer.
 */

export async function storesLoader({ request, context }: PageArgs, surface: Surface) {
  const admin = await requirePageAdmin(context.services, request, surface, "stores.view");
  const stores = await listStores(context.services, admin.accountId);
  // Embedded, the shop whose admin this is: the store "Link to an existing account" moves.
  const currentStoreId = admin.surface === "app" ? (stores.find((st) => st.platform === "shopify" && st.domain === admin.actor.id)?.id ?? null) : null;
  return { base: admin.base, csrf: admin.csrf, stores, currentStoreId, allowed: { manage: admin.can("stores.manage"), link: admin.can("stores.link") } };
}

export type StoresActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "connect"; connected: { id: string; name: string; url: string; webhookUrl: string; webhookRegistered: boolean; manageStock: boolean; created: boolean } }
  | { ok: true; intent: "settings"; storeId: string; sendEmail: boolean }
  | { ok: true; intent: "link-code"; code: string; expiresAt: string }
  | { ok: true; intent: "link"; linked: { storeId: string; storeName: string; accountName: string; orders: number } }
  | { ok: true; intent: "split"; split: { storeId: string; storeName: string; stockZeroFailed: number } };


export async function storesAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "stores.view");
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    // Connecting and settings are day-to-day (stores.manage); moving stores between accounts is the owner's (stores.link).
    await admin.require(intent === "link-code" || intent === "link" || intent === "split" ? "stores.link" : "stores.manage");
    if (intent === "connect") {
      const c = await connectWooCommerceStore(
        s,
        admin.accountId,
        {
          url: form.get("url") ?? "",
          consumerKey: form.get("consumerKey") ?? "",
          consumerSecret: form.get("consumerSecret") ?? "",
          webhookSecret: form.get("webhookSecret") || null,
          // A checkbox sends nothing when unticked; the form says it was there with registerWebhookShown.
          registerWebhook: form.has("registerWebhookShown") ? isChecked(form.get("registerWebhook")) : true,
        },
        admin.actor,
      );
      return data<StoresActionData>({
        ok: true,
        intent,
        connected: { id: c.id, name: c.name, url: c.url, webhookUrl: c.webhookUrl, webhookRegistered: c.webhookId !== null, manageStock: c.manageStock, created: c.created },
      });
    }
    if (intent === "settings") {
      const storeId = form.get("storeId") ?? "";
      const after = await updateStoreSettings(s, admin.accountId, storeId, { sendEmail: isChecked(form.get("sendEmail")) }, admin.actor);
      return data<StoresActionData>({ ok: true, intent, storeId, sendEmail: after.sendEmail ?? false });
    }
    // Linked stores: every check (the store is this account's, the code, the limits) is in the use-cases.
    if (intent === "link-code") {
      const made = await createLinkCode(s, admin.accountId, admin.actor);
      return data<StoresActionData>({ ok: true, intent, code: made.code, expiresAt: made.expiresAt });
    }
    if (intent === "link") {
      const l = await redeemLinkCode(s, admin.accountId, { storeId: form.get("storeId") ?? "", code: form.get("code") ?? "", ip: context.clientIp ?? null }, admin.actor);
      return data<StoresActionData>({ ok: true, intent, linked: { storeId: l.storeId, storeName: l.storeName, accountName: l.accountName, orders: l.orders } });
    }
    if (intent === "split") {
      const r = await splitOffStore(s, admin.accountId, form.get("storeId") ?? "", admin.actor);
      return data<StoresActionData>({ ok: true, intent, split: { storeId: r.storeId, storeName: r.storeName, stockZeroFailed: r.stockZeroFailed } });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return errorData(e);
  }
}
