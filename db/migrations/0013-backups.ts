import type { KeyrelayMigration } from "./column-types.ts";

/**
 * Backups (issue 16, part 1): one row per backup create / verify / restore, so the dashboard and
 * /readyz can say when the last backup was made and whether it worked. Installation-wide (a
 * backup holds every account), so no account_id; each run is also audited per account in
 * audit_log. `error` is a catalog code and its params, never a key or a password.
 *
 * app_processes: every running keyrelay process (web, worker, all) says it is alive every few
 * seconds, so `backup restore` can refuse to replace the database under a running app.
 */
export const backups: KeyrelayMigration = {
  async up(db, t) {
    await t
      .serialId(db.schema.createTable("backup_runs"))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("trigger", "text", (c) => c.notNull())
      .addColumn("ok", "integer", (c) => c.notNull())
      .addColumn("file", "text")
      .addColumn("bytes", t.bigint)
      .addColumn("keys", t.bigint)
      .addColumn("duration_ms", "integer", (c) => c.notNull())
      .addColumn("error_code", "text")
      .addColumn("error_params", "text")
      .addColumn("started_at", t.timestamp, (c) => c.notNull())
      .addColumn("finished_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("backup_runs_kind_finished").on("backup_runs").columns(["kind", "finished_at"]).execute();
    await db.schema
      .createTable("app_processes")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("pid", "integer", (c) => c.notNull())
      .addColumn("started_at", t.timestamp, (c) => c.notNull())
      .addColumn("seen_at", t.timestamp, (c) => c.notNull())
      .execute();
  },
};
