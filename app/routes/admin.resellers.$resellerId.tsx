import { resellerDetailAction, resellerDetailLoader } from "../.server/http/reseller-detail-page.ts";
import { ResellerDetailPage } from "../components/reseller-detail-page.tsx";
import type { Route } from "./+types/admin.resellers.$resellerId";

export const loader = (args: Route.LoaderArgs) => resellerDetailLoader(args, "admin");
export const action = (args: Route.ActionArgs) => resellerDetailAction(args, "admin");

// A new API token's answer says Cache-Control: no-store; pass the action's headers on.
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Cache-Control") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminReseller({ loaderData }: Route.ComponentProps) {
  return <ResellerDetailPage data={loaderData} />;
}
