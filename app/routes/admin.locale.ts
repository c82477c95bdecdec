import { redirect } from "react-router";
import { readAuthForm, requireAdmin, safeNext } from "../.server/auth/admin-session.ts";
import { errorResponse } from "../.server/http/responses.ts";
import { setAdminLocale } from "../.server/use-cases/set-admin-locale.ts";
import type { Route } from "./+types/admin.locale";

/** The standalone admin's own language setting. */
export async function action({ request, context }: Route.ActionArgs) {
  const s = context.services;
  const { user, checkCsrf } = await requireAdmin(s, request);
  let form: URLSearchParams;
  try {
    form = await readAuthForm(request);
    checkCsrf(form.get("csrf"));
    await setAdminLocale(s, user.id, form.get("locale"));
  } catch (e) {
    return errorResponse(e);
  }
  return redirect(safeNext(String(form.get("redirectTo") ?? "/admin")));
}
