import { reviewsAction, reviewsLoader } from "../.server/http/risk-pages.ts";
import { RiskReviewsPage } from "../components/risk-reviews-page.tsx";
import type { Route } from "./+types/app.risk.reviews";

export const loader = (args: Route.LoaderArgs) => reviewsLoader(args, "app");
export const action = (args: Route.ActionArgs) => reviewsAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedRiskReviews({ loaderData }: Route.ComponentProps) {
  return <RiskReviewsPage data={loaderData} />;
}
