import { editPoolAction, editPoolLoader } from "../.server/http/pool-pages.ts";
import { PoolFormPage } from "../components/pool-form-page.tsx";
import type { Route } from "./+types/app.pools.$poolId.edit";

export const loader = (args: Route.LoaderArgs) => editPoolLoader(args, "app");
export const action = (args: Route.ActionArgs) => editPoolAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedEditPool({ loaderData, actionData }: Route.ComponentProps) {
  return <PoolFormPage data={loaderData} error={actionData?.error} />;
}
