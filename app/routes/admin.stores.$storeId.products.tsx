import { storeProductsAction, storeProductsLoader } from "../.server/http/mapping-pages.ts";
import { StoreProductsPage } from "../components/store-products-page.tsx";
import type { Route } from "./+types/admin.stores.$storeId.products";

export const loader = (args: Route.LoaderArgs) => storeProductsLoader(args, "admin");
export const action = (args: Route.ActionArgs) => storeProductsAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminStoreProducts({ loaderData }: Route.ComponentProps) {
  return <StoreProductsPage data={loaderData} />;
}
