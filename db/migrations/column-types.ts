import type { ColumnDataType, CreateTableBuilder, Kysely } from "kysely";

export type Dialect = "sqlite" | "postgres";

/** The few column types that differ between SQLite and Postgres; everything else is shared. */
export interface ColumnTypes {
  dialect: Dialect;
  timestamp: ColumnDataType;
  bytes: ColumnDataType;
  bigint: ColumnDataType;
  /** Adds an auto-incrementing integer primary key named id. */
  serialId<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, "id">;
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  return {
    dialect,
    timestamp: dialect === "postgres" ? "timestamptz" : "text",
    bytes: dialect === "postgres" ? "bytea" : "blob",
    bigint: dialect === "postgres" ? "bigint" : "integer",
    serialId: (table) =>
      dialect === "postgres"
        ? table.addColumn("id", "bigserial", (c) => c.primaryKey())
        : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement()),
  };
}

export interface KeyrelayMigration {
  up(db: Kysely<any>, t: ColumnTypes): Promise<void>;
  down?(db: Kysely<any>, t: ColumnTypes): Promise<void>;
}
