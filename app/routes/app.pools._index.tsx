import { poolsListLoader } from "../.server/http/pool-pages.ts";
import { PoolsListPage } from "../components/pools-list-page.tsx";
import type { Route } from "./+types/app.pools._index";

export const loader = (args: Route.LoaderArgs) => poolsListLoader(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedPools({ loaderData }: Route.ComponentProps) {
  return <PoolsListPage data={loaderData} />;
}
