import { storeProductsAction, storeProductsLoader } from "../.server/http/mapping-pages.ts";
import { StoreProductsPage } from "../components/store-products-page.tsx";
import type { Route } from "./+types/app.stores.$storeId.products";

export const loader = (args: Route.LoaderArgs) => storeProductsLoader(args, "app");
export const action = (args: Route.ActionArgs) => storeProductsAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedStoreProducts({ loaderData }: Route.ComponentProps) {
  return <StoreProductsPage data={loaderData} />;
}
