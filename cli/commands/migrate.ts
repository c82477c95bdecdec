import { migrateToLatest, migrationStatus } from "../../app/.server/db/migrate.ts";
import type { Command } from "../command.ts";

export const migrate: Command = {
  options: { status: { type: "boolean", default: false } },
  needs: "database",
  async run(s, values, out) {
    if (values.status) {
      const st = await migrationStatus(s.db, s.database.dialect);
      const none = out.t("cli.none");
      out.say(out.t("cli.migrateStatus", { applied: st.applied.join(", ") || none, pending: st.pending.join(", ") || none }));
      out.result({ database: s.database.description, ...st });
      return;
    }
    const r = await migrateToLatest(s.db, s.database.dialect);
    out.say(r.applied.length ? out.t("cli.migrated", { count: r.applied.length }) : out.t("cli.migrateUpToDate"));
    out.result({ database: s.database.description, applied: r.applied });
  },
};
