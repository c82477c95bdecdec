import { importAction, importLoader } from "../.server/http/import-page.ts";
import { PoolImportPage } from "../components/pool-import-page.tsx";
import type { Route } from "./+types/admin.pools.$poolId.import";

export const loader = (args: Route.LoaderArgs) => importLoader(args, "admin");
export const action = (args: Route.ActionArgs) => importAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminImportKeys({ loaderData, actionData }: Route.ComponentProps) {
  return <PoolImportPage data={loaderData} actionData={actionData} />;
}
