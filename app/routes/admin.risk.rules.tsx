import { rulesAction, rulesLoader } from "../.server/http/risk-pages.ts";
import { RiskRulesPage } from "../components/risk-rules-page.tsx";
import type { Route } from "./+types/admin.risk.rules";

export const loader = (args: Route.LoaderArgs) => rulesLoader(args, "admin");
export const action = (args: Route.ActionArgs) => rulesAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminRiskRules({ loaderData }: Route.ComponentProps) {
  return <RiskRulesPage data={loaderData} />;
}
