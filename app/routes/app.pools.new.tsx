import { newPoolAction, newPoolLoader } from "../.server/http/pool-pages.ts";
import { PoolFormPage } from "../components/pool-form-page.tsx";
import type { Route } from "./+types/app.pools.new";

export const loader = (args: Route.LoaderArgs) => newPoolLoader(args, "app");
export const action = (args: Route.ActionArgs) => newPoolAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedNewPool({ loaderData, actionData }: Route.ComponentProps) {
  return <PoolFormPage data={loaderData} error={actionData?.error} />;
}
