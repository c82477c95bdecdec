import QRCode from "qrcode";
import { data } from "react-router";
import { requirePageAdmin } from "../auth/admin-context.ts";
import { AUTH_FORM_LIMIT, requireAdmin } from "../auth/admin-session.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import {
  confirmTwoFactorEnrolment,
  disableOwnTwoFactor,
  regenerateRecoveryCodes,
  setOwnersMustUseTwoFactor,
  startTwoFactorEnrolment,
  twoFactorStatus,
} from "../use-cases/manage-two-factor.ts";
import { errorData, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";

/**
 * /admin/two-factor: the signed-in admin's two-step verification (standalone only). The QR code
 * is drawn here, on the server, as an SVG (the secret never leaves for a QR service), and the
 * page says "no-store" so the secret and recovery codes stay out of caches.
 */

export async function twoFactorLoader({ request, context }: PageArgs) {
  const s = context.services;
  const admin = await requireAdmin(s, request);
  const status = await twoFactorStatus(s, admin.user.id);
  const qrSvg = status.pending ? await QRCode.toString(status.pending.uri, { type: "svg", margin: 1, width: 200, errorCorrectionLevel: "M" }) : null;
  return data({ csrf: admin.csrf, ...status, qrSvg }, { headers: { "Cache-Control": "no-store" } });
}

export type TwoFactorActionData =
  | { ok: false; error: PageError }
  | { ok: true; intent: "start" | "disable" | "requireOwners" }
  | { ok: true; intent: "confirm" | "regenerate"; recoveryCodes: string[] };

export async function twoFactorAction({ request, context }: PageArgs) {
  const s = context.services;
  const admin = await requireAdmin(s, request);
  const caller = { userId: admin.user.id, sessionKey: admin.sessionKey, ip: context.clientIp };
  const noStore = { headers: { "Cache-Control": "no-store" } };
  try {
    const form = await readForm(request, AUTH_FORM_LIMIT);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    if (intent === "start") {
      await startTwoFactorEnrolment(s, caller);
      return data<TwoFactorActionData>({ ok: true, intent });
    }
    if (intent === "confirm" || intent === "regenerate") {
      const code = form.get("code") ?? "";
      const { recoveryCodes } =
        intent === "confirm" ? await confirmTwoFactorEnrolment(s, caller, { code, password: form.get("password") ?? "" }) : await regenerateRecoveryCodes(s, caller, code);
      return data<TwoFactorActionData>({ ok: true, intent, recoveryCodes }, noStore);
    }
    if (intent === "disable") {
      await disableOwnTwoFactor(s, caller, { password: form.get("password") ?? "", code: form.get("code") ?? "" });
      return data<TwoFactorActionData>({ ok: true, intent });
    }
    if (intent === "requireOwners") {
      // An account setting: owners only, and a refusal is audited (access.denied) like the team page's.
      await requirePageAdmin(s, request, "admin", "team.manage");
      const value = form.get("requireOwners");
      if (value !== "on" && value !== "off") throw new InvalidInputError("invalid_input", "on or off", { field: "requireOwners", params: { detail: "requireOwners" } });
      await setOwnersMustUseTwoFactor(s, caller, value === "on");
      return data<TwoFactorActionData>({ ok: true, intent });
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { field: "intent", params: { detail: "intent" } });
  } catch (e) {
    if (e instanceof KeyrelayError && e.code === "login_rate_limited") {
      const seconds = (e as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      const headers: HeadersInit = typeof seconds === "number" ? { "Retry-After": String(seconds) } : {};
      return data({ ok: false as const, error: { code: e.code, params: e.params, field: "code" } satisfies PageError }, { status: 429, headers });
    }
    return errorData(e);
  }
}
