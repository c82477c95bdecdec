import { importAction, importLoader } from "../.server/http/import-page.ts";
import { PoolImportPage } from "../components/pool-import-page.tsx";
import type { Route } from "./+types/app.pools.$poolId.import";

export const loader = (args: Route.LoaderArgs) => importLoader(args, "app");
export const action = (args: Route.ActionArgs) => importAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedImportKeys({ loaderData, actionData }: Route.ComponentProps) {
  return <PoolImportPage data={loaderData} actionData={actionData} />;
}
