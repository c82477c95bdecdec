import { reportsExportLoader } from "../.server/http/report-pages.ts";
import type { Route } from "./+types/app.reports.export";

/** A report as CSV (UTF-8 with BOM, formula-safe); audited. */
export const loader = (args: Route.LoaderArgs) => reportsExportLoader(args, "app");
