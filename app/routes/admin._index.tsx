import { useRouteLoaderData } from "react-router";
import { requirePageAdmin } from "../.server/auth/admin-context.ts";
import { getDashboard } from "../.server/use-cases/get-dashboard.ts";
import { DashboardPage } from "../components/dashboard-page.tsx";
import type { loader as rootLoader } from "../root.tsx";
import type { Route } from "./+types/admin._index";

export async function loader({ request, context }: Route.LoaderArgs) {
  const { accountId } = await requirePageAdmin(context.services, request, "admin", "dashboard.view");
  return getDashboard(context.services, accountId);
}

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminDashboard({ loaderData }: Route.ComponentProps) {
  const root = useRouteLoaderData<typeof rootLoader>("root");
  return <DashboardPage data={loaderData} locale={root?.locale ?? "en"} />;
}
