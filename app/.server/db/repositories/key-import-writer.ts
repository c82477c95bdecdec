import type { DatabaseHandle } from "../database.ts";
import { openPostgresKeyImportWriter } from "./postgres-key-import-writer.ts";
import { openSqliteKeyImportWriter } from "./sqlite-key-import-writer.ts";
import type { ImportBatchRef, KeyImportWriter } from "./key-import-writer-types.ts";


export function openKeyImportWriter(database: DatabaseHandle, batch: ImportBatchRef): Promise<KeyImportWriter> {
  return database.dialect === "sqlite" ? Promise.resolve(openSqliteKeyImportWriter(database, batch)) : openPostgresKeyImportWriter(database.db, batch);
}
