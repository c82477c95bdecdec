import { settingsAction, settingsLoader } from "../.server/http/settings-pages.ts";
import { SettingsPage } from "../components/settings-page.tsx";
import type { Route } from "./+types/admin.settings";

export const loader = (args: Route.LoaderArgs) => settingsLoader(args, "admin");
export const action = (args: Route.ActionArgs) => settingsAction(args, "admin");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function AdminSettings({ loaderData }: Route.ComponentProps) {
  return <SettingsPage data={loaderData} />;
}
