import { isHostError } from "../../../connectors/host-error.ts";
import { KeyrelayError } from "../domain/errors.ts";
import type { PageError } from "./pool-pages.ts";

/**
 * A failure talking to a store (unreachable, throttled, keys revoked) as a page shows it — a
 * banner with the catalog's errors.host_<kind> text — or null for anything else. (Both error
 * families are recognised across the route bundle's and the services' copies of their classes.)
 */
export function hostPageError(e: unknown): PageError | null {
  if (e instanceof KeyrelayError && e.kind !== "invalid_input") return { code: e.code, params: e.params };
  if (isHostError(e)) return { code: e.kind === "retryable" ? "host_unavailable" : `host_${e.kind}`, params: {} };
  return null;
}
