import { passwordAction, passwordLoader } from "../.server/http/admin-account-pages.ts";
import { AdminPasswordPage } from "../components/admin-password-page.tsx";
import type { Route } from "./+types/admin.password";

export const loader = (args: Route.LoaderArgs) => passwordLoader(args);
export const action = (args: Route.ActionArgs) => passwordAction(args);

// A rate-limited attempt answers 429 with Retry-After; a document POST takes its headers from here.
export const headers: Route.HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Retry-After") ? actionHeaders : loaderHeaders);

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminPassword({ loaderData, actionData }: Route.ComponentProps) {
  return <AdminPasswordPage data={loaderData} actionData={actionData} />;
}
