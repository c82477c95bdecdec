import { KeyrelayError } from "../domain/errors.ts";
import type { Locale } from "../../i18n/i18n.ts";
import { translator } from "../../i18n/i18n.ts";

/** A JSON error answer for APIs and webhooks: the kind decides the status, the catalog the text. */
export function errorResponse(error: unknown, locale: Locale = "en"): Response {
  if (error instanceof Response) return error;
  if (error instanceof KeyrelayError) {
    const t = translator(locale);
    const status = error.kind === "invalid_input" ? (error.code === "body_too_large" ? 413 : 400) : error.kind === "retryable" ? 503 : 500;
    return Response.json(
      { error: { code: error.code, message: t(`errors.${error.code}`, { ...error.params, defaultValue: error.message }) } },
      { status },
    );
  }
  return Response.json({ error: { code: "unexpected", message: translator(locale)("errors.unexpected") } }, { status: 500 });
}
