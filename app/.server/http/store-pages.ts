import { data } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { connectWooCommerceStore } from "../use-cases/connect-woocommerce-store.ts";
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
  const admin = await requirePageAdmin(context.services, request, surface);
  const stores = await listStores(context.services, admin.accountId);
  return { base: admin.base, csrf: admin.csrf, stores };
}

export type StoresActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "connect"; connected: { id: string; name: string; url: string; webhookUrl: string; webhookRegistered: boolean; manageStock: boolean; created: boolean } }
  | { ok: true; intent: "settings"; storeId: string; sendEmail: boolean };


export async function storesAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface);
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
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
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return errorData(e);
  }
}
