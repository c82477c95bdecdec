import { resellersAction, resellersLoader } from "../.server/http/reseller-pages.ts";
import { ResellersPage } from "../components/resellers-page.tsx";
import type { Route } from "./+types/admin.resellers._index";

export const loader = (args: Route.LoaderArgs) => resellersLoader(args, "admin");
export const action = (args: Route.ActionArgs) => resellersAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminResellers({ loaderData }: Route.ComponentProps) {
  return <ResellersPage data={loaderData} />;
}
