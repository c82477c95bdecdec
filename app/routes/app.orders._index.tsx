import { ordersListAction, ordersListLoader } from "../.server/http/order-pages.ts";
import { OrdersListPage } from "../components/orders-list-page.tsx";
import type { Route } from "./+types/app.orders._index";

export const loader = (args: Route.LoaderArgs) => ordersListLoader(args, "app");
export const action = (args: Route.ActionArgs) => ordersListAction(args, "app");

// A search may carry an exact key: its answer is never cached.
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Cache-Control") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedOrders({ loaderData }: Route.ComponentProps) {
  return <OrdersListPage data={loaderData} />;
}
