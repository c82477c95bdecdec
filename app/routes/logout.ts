import { redirect } from "react-router";
import { adminSessionStorage, getSession, readAuthForm, verifyCsrf } from "../.server/auth/admin-session.ts";
import { errorResponse } from "../.server/http/responses.ts";
import type { Route } from "./+types/logout";

export async function action({ request, context }: Route.ActionArgs) {
  const s = context.services;
  const session = await getSession(s, request);
  try {
    verifyCsrf(session, (await readAuthForm(request)).get("csrf"));
  } catch (e) {
    return errorResponse(e);
  }
  return redirect("/login?signedOut=1", { headers: { "Set-Cookie": await adminSessionStorage(s).destroySession(session) } });
}

export function loader() {
  return redirect("/admin");
}
