import { sql, type Kysely } from "kysely";
import { Migrator, type MigrationResult } from "kysely/migration";
import { columnTypes, type Dialect } from "../../../db/migrations/column-types.ts";
import { migrations } from "../../../db/migrations/index.ts";

export interface MigrateReport {
  applied: string[];
  pending: string[];
}

async function migratorFor(db: Kysely<any>, dialect: Dialect): Promise<Migrator> {
  const types = columnTypes(dialect);
  // Kysely looks for its bookkeeping tables across every schema it can see; pin it to ours, or a
  // second installation in another schema of the same database makes it skip creating them.
  const migrationTableSchema =
    dialect === "postgres" ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0].s : undefined;
  return new Migrator({
    db,
    migrationTableSchema,
    provider: {
      async getMigrations() {
        return Object.fromEntries(
          Object.entries(migrations).map(([name, m]) => [
            name,
            { up: (d: Kysely<any>) => m.up(d, types), down: m.down ? (d: Kysely<any>) => m.down!(d, types) : undefined },
          ]),
        );
      },
    },
  });
}

/** Applies every pending migration. Safe to run from several processes at once (Kysely locks). */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<MigrateReport> {
  const { error, results } = await (await migratorFor(db, dialect)).migrateToLatest();
  const applied = (results ?? []).filter((r: MigrationResult) => r.status === "Success").map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { applied, pending: [] };
}

export async function migrationStatus(db: Kysely<any>, dialect: Dialect): Promise<MigrateReport> {
  const list = await (await migratorFor(db, dialect)).getMigrations();
  return {
    applied: list.filter((m) => m.executedAt).map((m) => m.name),
    pending: list.filter((m) => !m.executedAt).map((m) => m.name),
  };
}
