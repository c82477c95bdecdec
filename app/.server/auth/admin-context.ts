import { KeyrelayError } from "../domain/errors.ts";
import { errorResponse } from "../http/responses.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "../use-cases/manage-pools.ts";
import { requireAdmin } from "./admin-session.ts";
import { requireShopifyAdmin } from "./shopify-admin.ts";

/**
 * Where an admin page is served: the standalone admin (cookie login, `/admin`) or inside the
 * Shopify admin (App Bridge session tokens, `/app`). The pool pages are the same on both.
 */
export type Surface = "admin" | "app";

export interface PageAdmin {
  surface: Surface;
  /** URL prefix of the surface's pages: "/admin" or "/app". */
  base: string;
  accountId: string;
  actor: Actor;
  /**
   * The CSRF token forms post back. Standalone: the session's token (derived from its id). Embedded: empty — every
   * request carries an App Bridge session token (a signed, short-lived JWT a cross-site page
   * cannot obtain), so there is no ambient credential to forge a request with.
   */
  csrf: string;
  /** Throws InvalidInputError("csrf") unless `submitted` is this session's token (standalone). */
  checkCsrf(submitted: FormDataEntryValue | string | null | undefined): void;
}

/** The signed-in admin of either surface, or the surface's own redirect/refusal. */
export async function requirePageAdmin(s: Services, request: Request, surface: Surface): Promise<PageAdmin> {
  if (surface === "admin") {
    const { user, accountId, csrf, checkCsrf } = await requireAdmin(s, request);
    return { surface, base: "/admin", accountId, actor: { type: "admin", id: user.id }, csrf, checkCsrf };
  }
  try {
    const { accountId, shop } = await requireShopifyAdmin(s, request);
    return { surface, base: "/app", accountId, actor: { type: "shopify_staff", id: shop }, csrf: "", checkCsrf: () => {} };
  } catch (e) {
    if (e instanceof KeyrelayError) throw errorResponse(e);
    throw e;
  }
}
