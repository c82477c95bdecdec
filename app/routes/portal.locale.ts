import { redirect } from "react-router";
import { portalLocaleAction } from "../.server/http/portal/portal-auth-pages.ts";
import type { Route } from "./+types/portal.locale";

/** The signed-in reseller user's own language setting. */
export const action = (args: Route.ActionArgs) => portalLocaleAction(args);

export function loader() {
  return redirect("/portal");
}
