import { editPoolAction, editPoolLoader } from "../.server/http/pool-pages.ts";
import { PoolFormPage } from "../components/pool-form-page.tsx";
import type { Route } from "./+types/admin.pools.$poolId.edit";

export const loader = (args: Route.LoaderArgs) => editPoolLoader(args, "admin");
export const action = (args: Route.ActionArgs) => editPoolAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminEditPool({ loaderData, actionData }: Route.ComponentProps) {
  return <PoolFormPage data={loaderData} error={actionData?.error} />;
}
