import { data } from "react-router";
import { KeyrelayError } from "../../domain/errors.ts";
import { ResellerApiError } from "../../domain/reseller-api-error.ts";
import { statusOf, type PageError } from "../pool-pages.ts";

/**
 * The portal's answers to a refused action or an unknown id. Another reseller's order, token,
 * endpoint or delivery is answered exactly as one that never existed: 404, nothing said about whose.
 */
export function portalStatus(e: KeyrelayError): number {
  if (e instanceof ResellerApiError) return e.status;
  if (e.code === "login_rate_limited") return 429;
  return statusOf(e.code);
}

export function portalErrorData<Extra extends object = Record<never, never>>(e: unknown, extra?: Extra) {
  if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
  const error: PageError = { code: e.code, params: e.params, field: "field" in e && typeof e.field === "string" ? e.field : undefined };
  return data({ ok: false as const, error, ...(extra ?? ({} as Extra)) }, { status: portalStatus(e) });
}

/** A loader's refusal: 404 for what is not this reseller's, else rethrown. */
export function portalNotFound(e: unknown): never {
  if (e instanceof KeyrelayError && e.kind === "invalid_input" && portalStatus(e) === 404) throw new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain" } });
  throw e;
}
