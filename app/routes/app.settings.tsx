import { settingsAction, settingsLoader } from "../.server/http/settings-pages.ts";
import { SettingsPage } from "../components/settings-page.tsx";
import type { Route } from "./+types/app.settings";

export const loader = (args: Route.LoaderArgs) => settingsLoader(args, "app");
export const action = (args: Route.ActionArgs) => settingsAction(args, "app");

export const meta: Route.MetaFunction = () => [{ title: "keyrelay" }];

export default function EmbeddedSettings({ loaderData }: Route.ComponentProps) {
  return <SettingsPage data={loaderData} />;
}
