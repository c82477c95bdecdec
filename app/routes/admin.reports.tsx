import { reportsAction, reportsLoader } from "../.server/http/report-pages.ts";
import { ReportsPage } from "../components/reports-page.tsx";
import type { Route } from "./+types/admin.reports";

export const loader = (args: Route.LoaderArgs) => reportsLoader(args, "admin");
export const action = (args: Route.ActionArgs) => reportsAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminReports({ loaderData }: Route.ComponentProps) {
  return <ReportsPage data={loaderData} />;
}
