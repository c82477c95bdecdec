import { poolsListLoader } from "../.server/http/pool-pages.ts";
import { PoolsListPage } from "../components/pools-list-page.tsx";
import type { Route } from "./+types/admin.pools._index";

export const loader = (args: Route.LoaderArgs) => poolsListLoader(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminPools({ loaderData }: Route.ComponentProps) {
  return <PoolsListPage data={loaderData} />;
}
