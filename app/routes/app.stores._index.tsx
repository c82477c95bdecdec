import { storesAction, storesLoader } from "../.server/http/store-pages.ts";
import { StoresPage } from "../components/stores-page.tsx";
import type { Route } from "./+types/app.stores._index";

export const loader = (args: Route.LoaderArgs) => storesLoader(args, "app");
export const action = (args: Route.ActionArgs) => storesAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedStores({ loaderData }: Route.ComponentProps) {
  return <StoresPage data={loaderData} />;
}
