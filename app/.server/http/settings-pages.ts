import { data } from "react-router";
import { requirePageAdmin, type PageAdmin, type Surface } from "../auth/admin-context.ts";
import { currencies, SETTING_KEYS, timeZones, type AccountSettings } from "../domain/account-settings.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { getAdminProfile } from "../use-cases/get-admin-profile.ts";
import { getAccountSettings, sendSmtpTest, updateAccountSettings, type MailTestResult, type SettingsActor } from "../use-cases/manage-settings.ts";
import { listPoolTemplates, previewPoolTemplate, savePoolTemplate, sendPoolTemplateTest, type PoolTemplate, type RenderedPreview } from "../use-cases/pool-email-template.ts";
import { isLocale } from "../../i18n/i18n.ts";
import { errorData, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";
import { resolveLocale } from "./resolve-locale.ts";

/**
 * The settings page of both surfaces: the account's settings (domain/account-settings.ts), the
 * SMTP test, and each pool's delivery email with its preview and test send. Owners only
 * (settings.manage): every setting here is the account's as a whole. Managers still edit what is
 * a pool's own on the pool form. Every intent is checked on the server again.
 */

export interface SettingsPageData {
  base: string;
  csrf: string;
  surface: Surface;
  settings: AccountSettings;
  timeZones: string[];
  currencies: string[];
  /** Standalone: the signed-in admin's email, where tests go. Embedded: none (the page asks for one). */
  adminEmail: string | null;
  pools: PoolTemplate[];
  /** The first pool's saved template rendered in both languages. */
  preview: RenderedPreview[] | null;
}

function actorOf(admin: PageAdmin, ip: string | null | undefined): SettingsActor {
  return { ...admin.actor, ip: ip ?? null };
}

async function adminEmailOf(s: PageArgs["context"]["services"], admin: PageAdmin): Promise<string | null> {
  if (admin.member.kind !== "admin") return null;
  return (await getAdminProfile(s, admin.member.id))?.email ?? null;
}

export async function settingsLoader({ request, context }: PageArgs, surface: Surface): Promise<SettingsPageData> {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "settings.manage");
  const [settings, pools, adminEmail] = await Promise.all([getAccountSettings(s, admin.accountId), listPoolTemplates(s, admin.accountId), adminEmailOf(s, admin)]);
  const first = pools[0];
  const preview = first ? await previewPoolTemplate(s, admin.accountId, first.poolId, first).catch(() => null) : null;
  return { base: admin.base, csrf: admin.csrf, surface, settings, timeZones: timeZones(), currencies: currencies(), adminEmail, pools, preview };
}

export type SettingsActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "save"; settings: AccountSettings; changed: string[] }
  | { ok: true; intent: "smtp-test" | "template-test"; result: MailTestResult }
  | { ok: true; intent: "template-preview"; poolId: string; preview: RenderedPreview[] }
  | { ok: true; intent: "template-save"; pool: PoolTemplate };

function templateFrom(form: URLSearchParams) {
  return { subject: form.get("subject") ?? "", html: form.get("html") ?? "", text: form.get("text") ?? "" };
}

export async function settingsAction({ request, context }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "settings.manage");
  const actor = actorOf(admin, context.clientIp);
  try {
    const form = await readForm(request);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    // Standalone, tests go to the signed-in admin's own address whatever the form says; embedded
    // (no email of the Shopify staff member is known) to the one typed.
    const recipient = async () => (await adminEmailOf(s, admin)) ?? form.get("to") ?? "";
    if (intent === "save") {
      // Only the settings' own keys; a form field of another name is not a setting.
      const raw = Object.fromEntries(SETTING_KEYS.filter((k) => form.has(k)).map((k) => [k, form.get(k) ?? ""]));
      const r = await updateAccountSettings(s, admin.accountId, raw, actor);
      return data<SettingsActionData>({ ok: true, intent, settings: r.settings, changed: r.changed });
    }
    if (intent === "smtp-test") {
      const locale = resolveLocale({ request, fallback: s.config.defaultLocale });
      const result = await sendSmtpTest(s, admin.accountId, await recipient(), locale, actor);
      return data<SettingsActionData>({ ok: true, intent, result });
    }
    const poolId = form.get("poolId") ?? "";
    if (intent === "template-preview") {
      const preview = await previewPoolTemplate(s, admin.accountId, poolId, templateFrom(form));
      return data<SettingsActionData>({ ok: true, intent, poolId, preview });
    }
    if (intent === "template-save") {
      const pool = await savePoolTemplate(s, admin.accountId, poolId, templateFrom(form), actor);
      return data<SettingsActionData>({ ok: true, intent, pool });
    }
    if (intent === "template-test") {
      const wanted = form.get("locale");
      const locale = isLocale(wanted) ? wanted : resolveLocale({ request, fallback: s.config.defaultLocale });
      const result = await sendPoolTemplateTest(s, admin.accountId, poolId, templateFrom(form), await recipient(), locale, actor);
      return data<SettingsActionData>({ ok: true, intent, result });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    return errorData(e);
  }
}
