import { resellersAction, resellersLoader } from "../.server/http/reseller-pages.ts";
import { ResellersPage } from "../components/resellers-page.tsx";
import type { Route } from "./+types/app.resellers._index";

export const loader = (args: Route.LoaderArgs) => resellersLoader(args, "app");
export const action = (args: Route.ActionArgs) => resellersAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedResellers({ loaderData }: Route.ComponentProps) {
  return <ResellersPage data={loaderData} />;
}
