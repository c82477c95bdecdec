import { redirect } from "react-router";
import { portalLogoutAction } from "../.server/http/portal/portal-auth-pages.ts";
import type { Route } from "./+types/portal.logout";

/** Ends the portal session's record at once (every copy of the cookie stops working), then forgets the cookie. */
export const action = (args: Route.ActionArgs) => portalLogoutAction(args);

export function loader() {
  return redirect("/portal");
}
