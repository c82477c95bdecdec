import { KeyrelayError } from "../domain/errors.ts";
import { errorResponse } from "../http/responses.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "../use-cases/manage-pools.ts";
import { requireAdmin, verifyCsrf } from "./admin-session.ts";
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
   * The CSRF token forms post back. Standalone: the session's token. Embedded: empty — every
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
    const { user, accountId, session } = await requireAdmin(s, request);
    // Every login starts with a token; the admin layout's loader commits one into an older
    // session. Until then the page has none and every check fails (a reload fixes it).
    const csrf = session.get("csrf") ?? "";
    return {
      surface,
      base: "/admin",
      accountId,
      actor: { type: "admin", id: user.id },
      csrf,
      checkCsrf: (submitted) => verifyCsrf(session, typeof submitted === "string" ? submitted : null),
    };
  }
  try {
    const { accountId, shop } = await requireShopifyAdmin(s, request);
    return { surface, base: "/app", accountId, actor: { type: "shopify_staff", id: shop }, csrf: "", checkCsrf: () => {} };
  } catch (e) {
    if (e instanceof KeyrelayError) throw errorResponse(e);
    throw e;
  }
}
