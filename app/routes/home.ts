import { redirect } from "react-router";
import type { Route } from "./+types/home";

/** Shopify opens the app URL with ?shop=…&host=…: send that to the embedded admin, everyone else to the standalone one. */
export function loader({ request }: Route.LoaderArgs) {
  const url = new URL(request.url);
  if (url.searchParams.has("shop")) return redirect(`/app${url.search}`);
  return redirect("/admin");
}
