import { orderDetailAction, orderDetailLoader } from "../.server/http/order-pages.ts";
import { OrderDetailPage } from "../components/order-detail-page.tsx";
import type { Route } from "./+types/app.orders.$orderId";

export const loader = (args: Route.LoaderArgs) => orderDetailLoader(args, "app");
export const action = (args: Route.ActionArgs) => orderDetailAction(args, "app");

// A revealed key's answer says Cache-Control: no-store; pass the action's headers on.
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Cache-Control") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedOrder({ loaderData }: Route.ComponentProps) {
  return <OrderDetailPage data={loaderData} />;
}
