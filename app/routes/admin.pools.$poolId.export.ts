import { exportAction, exportLoader } from "../.server/http/export-page.ts";
import type { Route } from "./+types/admin.pools.$poolId.export";

/** CSV download: GET masked, POST (CSRF) with plaintext codes. */
export const loader = (args: Route.LoaderArgs) => exportLoader(args, "admin");
export const action = (args: Route.ActionArgs) => exportAction(args, "admin");
