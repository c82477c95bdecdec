import { redirect } from "react-router";
import { clearAdminCookie, readAuthForm, signedInAdmin } from "../.server/auth/admin-session.ts";
import { errorResponse } from "../.server/http/responses.ts";
import { signOutAdminSession } from "../.server/use-cases/end-admin-sessions.ts";
import type { Route } from "./+types/logout";

/** Ends the session's record at once (every copy of the cookie stops working), then forgets the cookie. */
export async function action({ request, context }: Route.ActionArgs) {
  const s = context.services;
  const admin = await signedInAdmin(s, request);
  try {
    const form = await readAuthForm(request);
    if (admin) {
      admin.checkCsrf(form.get("csrf"));
      await signOutAdminSession(s, { userId: admin.user.id, accountId: admin.accountId }, admin.sessionKey, context.clientIp);
    }
  } catch (e) {
    return errorResponse(e);
  }
  return redirect("/login?signedOut=1", { headers: { "Set-Cookie": await clearAdminCookie(s, request) } });
}

export function loader() {
  return redirect("/admin");
}
