import { resellerDetailAction, resellerDetailLoader } from "../.server/http/reseller-detail-page.ts";
import { ResellerDetailPage } from "../components/reseller-detail-page.tsx";
import type { Route } from "./+types/app.resellers.$resellerId";

export const loader = (args: Route.LoaderArgs) => resellerDetailLoader(args, "app");
export const action = (args: Route.ActionArgs) => resellerDetailAction(args, "app");

// A new API token's answer says Cache-Control: no-store; pass the action's headers on.
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Cache-Control") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedReseller({ loaderData }: Route.ComponentProps) {
  return <ResellerDetailPage data={loaderData} />;
}
