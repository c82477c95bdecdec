import { portalTokensAction, portalTokensLoader } from "../.server/http/portal/portal-pages.ts";
import { PortalTokensPage } from "../components/portal/portal-tokens-page.tsx";
import type { Route } from "./+types/portal.tokens";

export const loader = (args: Route.LoaderArgs) => portalTokensLoader(args);
export const action = (args: Route.ActionArgs) => portalTokensAction(args);

export default function PortalTokens({ loaderData }: Route.ComponentProps) {
  return <PortalTokensPage data={loaderData} />;
}
