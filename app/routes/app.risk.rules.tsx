import { rulesAction, rulesLoader } from "../.server/http/risk-pages.ts";
import { RiskRulesPage } from "../components/risk-rules-page.tsx";
import type { Route } from "./+types/app.risk.rules";

export const loader = (args: Route.LoaderArgs) => rulesLoader(args, "app");
export const action = (args: Route.ActionArgs) => rulesAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedRiskRules({ loaderData }: Route.ComponentProps) {
  return <RiskRulesPage data={loaderData} />;
}
