import { poolDetailAction, poolDetailLoader } from "../.server/http/pool-pages.ts";
import { PoolDetailPage } from "../components/pool-detail-page.tsx";
import type { Route } from "./+types/app.pools.$poolId._index";

export const loader = (args: Route.LoaderArgs) => poolDetailLoader(args, "app");
export const action = (args: Route.ActionArgs) => poolDetailAction(args, "app");

// A revealed key's answer says Cache-Control: no-store; pass the action's headers on.
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Cache-Control") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedPool({ loaderData }: Route.ComponentProps) {
  return <PoolDetailPage data={loaderData} />;
}
