import { sql, type Kysely } from "kysely";

/** The triggers (0012-reports) that mark an order for the report refresher whenever it, its lines or its allocations change. */
export const REPORT_TRIGGERS = [
  { name: "report_dirty_orders_ins", table: "orders" },
  { name: "report_dirty_orders_upd", table: "orders" },
  { name: "report_dirty_orders_del", table: "orders" },
  { name: "report_dirty_lines_ins", table: "order_lines" },
  { name: "report_dirty_lines_upd", table: "order_lines" },
  { name: "report_dirty_lines_del", table: "order_lines" },
  { name: "report_dirty_allocations_ins", table: "allocations" },
  { name: "report_dirty_allocations_upd", table: "allocations" },
] as const;

/** Drops them: the order path without the cost of keeping the reports (a benchmark's baseline only). */
export async function dropReportTriggers(db: Kysely<any>, dialect: "sqlite" | "postgres"): Promise<void> {
  for (const t of REPORT_TRIGGERS) {
    if (dialect === "postgres") await sql.raw(`drop trigger if exists ${t.name} on ${t.table}`).execute(db);
    else await sql.raw(`drop trigger if exists ${t.name}`).execute(db);
  }
}
