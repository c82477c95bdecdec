import { KeyrelayError } from "../domain/errors.ts";
import { AUDITED_REFUSALS, can, type Permission, type Role } from "../domain/roles.ts";
import { errorResponse } from "../http/responses.ts";
import { resolveLocale } from "../http/resolve-locale.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "../use-cases/manage-pools.ts";
import { recordAccessDenied } from "../use-cases/record-access-denied.ts";
import { shopifyStaffRole } from "../use-cases/shopify-staff-role.ts";
import type { MemberRef } from "../use-cases/team-actor.ts";
import { translator } from "../../i18n/i18n.ts";
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
  /** The member's role (domain/roles.ts): what the server allows and what the page shows. */
  role: Role;
  /** Which team member this is. */
  member: MemberRef;
  /**
   * The CSRF token forms post back. Standalone: the session's token (derived from its id). Embedded: empty — every
   * request carries an App Bridge session token (a signed, short-lived JWT a cross-site page
   * cannot obtain), so there is no ambient credential to forge a request with.
   */
  csrf: string;
  /** Throws InvalidInputError("csrf") unless `submitted` is this session's token (standalone). */
  checkCsrf(submitted: FormDataEntryValue | string | null | undefined): void;
  /** Whether the role holds `permission` (for showing or hiding a button). */
  can(permission: Permission): boolean;
  /**
   * Throws a 403 answer (translated; the refusal audited for sensitive permissions) unless the
   * role holds `permission`. Actions call it for each intent beyond the one requirePageAdmin named.
   */
  require(permission: Permission): Promise<void>;
}

/**
 * The signed-in admin of either surface, with the permission the loader or action needs first:
 * every page names one, so a route cannot forget to ask. Else the surface's own redirect/refusal,
 * or a 403.
 */
export async function requirePageAdmin(s: Services, request: Request, surface: Surface, need: Permission): Promise<PageAdmin> {
  const admin = await signedInPageAdmin(s, request, surface);
  await admin.require(need);
  return admin;
}

async function signedInPageAdmin(s: Services, request: Request, surface: Surface): Promise<PageAdmin> {
  if (surface === "admin") {
    const { user, accountId, csrf, checkCsrf } = await requireAdmin(s, request);
    const actor: Actor = { type: "admin", id: user.id };
    return pageAdmin(s, request, { surface, base: "/admin", accountId, actor, role: user.role, member: { kind: "admin", id: user.id }, csrf, checkCsrf }, user.locale);
  }
  try {
    const { accountId, shop, userId } = await requireShopifyAdmin(s, request);
    const role = await shopifyStaffRole(s, accountId, shop, userId);
    const actor: Actor = { type: "shopify_staff", id: shop };
    return pageAdmin(s, request, { surface, base: "/app", accountId, actor, role, member: { kind: "shopify", shop, userId }, csrf: "", checkCsrf: () => {} }, null);
  } catch (e) {
    if (e instanceof KeyrelayError) throw errorResponse(e);
    throw e;
  }
}

function pageAdmin(s: Services, request: Request, base: Omit<PageAdmin, "can" | "require">, userLocale: string | null): PageAdmin {
  return {
    ...base,
    can: (p) => can(base.role, p),
    async require(p) {
      if (can(base.role, p)) return;
      const url = new URL(request.url);
      if (AUDITED_REFUSALS.has(p)) {
        await recordAccessDenied(s, base.accountId, { ...base.actor, ip: null }, { permission: p, role: base.role, method: request.method, path: url.pathname });
      }
      throw forbidden(translator(resolveLocale({ request, userLocale, fallback: s.config.defaultLocale })), p, base.role);
    },
  };
}

/** The 403 answer: JSON that the error boundaries and scripts read; the message in the member's language. */
function forbidden(t: ReturnType<typeof translator>, permission: Permission, role: Role): Response {
  const message = t("errors.forbidden", { role: t(`team.roles.${role}`) });
  return Response.json({ error: { code: "forbidden", permission, role, message } }, { status: 403, headers: { "Cache-Control": "no-store" } });
}
