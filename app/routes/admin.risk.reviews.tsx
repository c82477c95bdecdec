import { reviewsAction, reviewsLoader } from "../.server/http/risk-pages.ts";
import { RiskReviewsPage } from "../components/risk-reviews-page.tsx";
import type { Route } from "./+types/admin.risk.reviews";

export const loader = (args: Route.LoaderArgs) => reviewsLoader(args, "admin");
export const action = (args: Route.ActionArgs) => reviewsAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminRiskReviews({ loaderData }: Route.ComponentProps) {
  return <RiskReviewsPage data={loaderData} />;
}
