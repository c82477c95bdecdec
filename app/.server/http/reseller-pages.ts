import { data } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { createReseller, listResellerOverview, setResellerSuspended } from "../use-cases/manage-resellers.ts";
import { errorData, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";

/**
 * The merchant's Resellers page of both surfaces (issue 14): the resellers with balance and
 * activity, a form to add one, suspend / activate. Only resellers.manage opens it; every action
 * goes through the use-cases (which audit), and another account's reseller is a 404.
 */

export async function resellersLoader({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "resellers.manage");
  const resellers = await listResellerOverview(s, admin.accountId);
  return { base: admin.base, csrf: admin.csrf, resellers };
}

export type ResellersActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "create"; id: string; name: string }
  | { ok: true; intent: "suspend" | "activate"; id: string };

export async function resellersAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "resellers.manage");
  const actor = { ...admin.actor, ip: context.clientIp };
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "create") {
      const r = await createReseller(
        s,
        admin.accountId,
        {
          name: form.get("name") ?? "",
          email: form.get("email") ?? "",
          currency: form.get("currency") ?? "",
          creditLimit: form.get("creditLimit") ?? "",
          maxUnitsPerOrder: form.get("maxUnitsPerOrder") ?? "",
          maxUnitsPerDay: form.get("maxUnitsPerDay") ?? "",
        },
        actor,
      );
      return data<ResellersActionData>({ ok: true, intent, id: r.id, name: r.name });
    }
    if (intent === "suspend" || intent === "activate") {
      const id = form.get("resellerId") ?? "";
      await setResellerSuspended(s, admin.accountId, id, intent === "suspend", actor);
      return data<ResellersActionData>({ ok: true, intent, id });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return errorData(e);
  }
}
