import { storesAction, storesLoader } from "../.server/http/store-pages.ts";
import { StoresPage } from "../components/stores-page.tsx";
import type { Route } from "./+types/admin.stores._index";

export const loader = (args: Route.LoaderArgs) => storesLoader(args, "admin");
export const action = (args: Route.ActionArgs) => storesAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminStores({ loaderData }: Route.ComponentProps) {
  return <StoresPage data={loaderData} />;
}
