import { KeyrelayError } from "../domain/errors.ts";
import type { PageError } from "./pool-pages.ts";

/**
 * A failure talking to a store (unreachable, throttled, keys revoked) as a page shows it — a
 * banner with the catalog's errors.host_<kind> text — or null for anything else. A HostError is
 * recognised by its name as well as by class: the connectors the services hold are loaded outside
 * the route bundle, so `instanceof` against the bundle's copy of the class does not hold.
 */
export function hostPageError(e: unknown): PageError | null {
  if (e instanceof KeyrelayError && e.kind !== "invalid_input") return { code: e.code, params: e.params };
  if (e instanceof Error && e.name === "HostError" && typeof (e as { kind?: unknown }).kind === "string") {
    const kind = (e as unknown as { kind: string }).kind;
    return { code: kind === "retryable" ? "host_unavailable" : `host_${kind}`, params: {} };
  }
  return null;
}
