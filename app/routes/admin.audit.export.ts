import { auditExportLoader } from "../.server/http/audit-pages.ts";
import type { Route } from "./+types/admin.audit.export";

/** The filtered audit log as CSV (UTF-8 with BOM, formula-safe); the export is audited. */
export const loader = (args: Route.LoaderArgs) => auditExportLoader(args, "admin");
