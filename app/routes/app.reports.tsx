import { reportsAction, reportsLoader } from "../.server/http/report-pages.ts";
import { ReportsPage } from "../components/reports-page.tsx";
import type { Route } from "./+types/app.reports";

export const loader = (args: Route.LoaderArgs) => reportsLoader(args, "app");
export const action = (args: Route.ActionArgs) => reportsAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedReports({ loaderData }: Route.ComponentProps) {
  return <ReportsPage data={loaderData} />;
}
