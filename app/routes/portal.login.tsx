import { portalLoginAction, portalLoginLoader } from "../.server/http/portal/portal-auth-pages.ts";
import { PortalLoginPage } from "../components/portal/portal-login-page.tsx";
import type { Route } from "./+types/portal.login";

export const loader = (args: Route.LoaderArgs) => portalLoginLoader(args);
export const action = (args: Route.ActionArgs) => portalLoginAction(args);

// Document POSTs take their headers (Retry-After on 429) from here.
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Retry-After") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function PortalLogin({ loaderData, actionData }: Route.ComponentProps) {
  return <PortalLoginPage data={loaderData} error={actionData && !actionData.ok ? actionData.error : undefined} />;
}
