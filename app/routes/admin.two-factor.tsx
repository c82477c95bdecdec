import { twoFactorAction, twoFactorLoader } from "../.server/http/two-factor-pages.ts";
import { TwoFactorPage } from "../components/two-factor-page.tsx";
import type { Route } from "./+types/admin.two-factor";

export const loader = (args: Route.LoaderArgs) => twoFactorLoader(args);
export const action = (args: Route.ActionArgs) => twoFactorAction(args);

// A rate-limited attempt answers 429 with Retry-After; the page itself is never cached (the secret).
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Retry-After") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminTwoFactor({ loaderData }: Route.ComponentProps) {
  return <TwoFactorPage data={loaderData} />;
}
