import fs from "node:fs";
import path from "node:path";
import type { Kysely } from "kysely";
import type { Config } from "../config.ts";
import { recordBackup } from "../backup/backup-record.ts";
import { sha256File } from "../backup/file-checksum.ts";
import { encryptFile, type BackupSecret } from "../backup/backup-encryption.ts";
import { dumpPostgres } from "../backup/postgres-backup.ts";
import { offThread } from "../backup/sqlite-backup.ts";
import { backupFileName, MANIFEST_FORMAT, manifestNameFor, type BackupManifest } from "../domain/backup-manifest.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import type { Database } from "../db/schema.ts";

export interface CreatedBackup {
  file: string;
  manifestFile: string;
  manifest: BackupManifest;
  bytes: number;
  keys: number;
  durationMs: number;
}

/**
 * A consistent copy of the live database while the app runs, and its manifest beside it. Nothing
 * is migrated first: a backup before an upgrade must be of the schema as it was. The copy appears
 * under its final name only when complete (written as .partial, then renamed), mode 0600.
 */
export async function createBackup(config: Config, opts: { dir?: string; trigger: "cli" | "schedule"; db?: Kysely<Database>; now?: () => Date; encrypt?: BackupSecret }): Promise<CreatedBackup> {
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const t0 = performance.now();
  const dir = path.resolve(opts.dir ?? config.backup.dir);
  const plainName = backupFileName(startedAt, config.database.dialect);
  const name = opts.encrypt ? `${plainName}.enc` : plainName;
  const file = path.join(dir, name);
  const partial = path.join(dir, `${plainName}.partial`);
  const encPartial = `${file}.partial`;
  try {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      throw new InvalidInputError("backup_dir_unwritable", `cannot write to ${dir}`, { field: "--to", params: { dir } });
    }
    let contents;
    let postgresSchema: string | undefined;
    if (config.database.dialect === "sqlite") {
      if (!fs.existsSync(config.database.file)) throw new InvalidInputError("backup_no_database", `no database at ${config.database.file}`, { params: { file: config.database.file } });
      // Counted in the copy itself, so the manifest describes exactly what was written.
      contents = await offThread({ op: "snapshot", live: config.database.file, dest: partial });
    } else {
      const r = await dumpPostgres(config.database.url, partial);
      contents = r;
      postgresSchema = r.schema;
    }
    fs.chmodSync(partial, 0o600);
    let encryption: BackupManifest["encryption"];
    if (opts.encrypt) {
      encryption = await encryptFile(partial, encPartial, opts.encrypt);
      fs.rmSync(partial);
      fs.renameSync(encPartial, file);
    } else fs.renameSync(partial, file);
    const sum = await sha256File(file);
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      createdAt: startedAt.toISOString(),
      dialect: config.database.dialect,
      schemaVersion: contents.migrations.at(-1) ?? "none",
      migrations: contents.migrations,
      ...(postgresSchema ? { postgresSchema } : {}),
      tables: contents.tables,
      masterKeyIds: contents.masterKeyIds,
      files: [{ name, bytes: sum.bytes, sha256: sum.sha256 }],
      ...(encryption ? { encryption } : {}),
    };
    const manifestFile = path.join(dir, manifestNameFor(name));
    fs.writeFileSync(`${manifestFile}.partial`, JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
    fs.renameSync(`${manifestFile}.partial`, manifestFile);
    const durationMs = performance.now() - t0;
    const keys = contents.tables.keys ?? 0;
    await recordBackup(
      config,
      opts.db,
      { kind: "create", trigger: opts.trigger, ok: true, file: name, bytes: sum.bytes, keys, durationMs, startedAt: startedAt.toISOString(), finishedAt: now().toISOString() },
      { action: "backup.created", details: { file: name, bytes: sum.bytes, keys, schemaVersion: manifest.schemaVersion, trigger: opts.trigger, encrypted: encryption?.mode ?? false } },
    );
    return { file, manifestFile, manifest, bytes: sum.bytes, keys, durationMs };
  } catch (e) {
    fs.rmSync(partial, { force: true });
    fs.rmSync(encPartial, { force: true });
    const error = e instanceof KeyrelayError ? { code: e.code, params: e.params } : { code: "unexpected", params: {} };
    // No database, nothing to record in (opening one would create an empty file).
    if (error.code === "backup_no_database") throw e;
    await recordBackup(
      config,
      opts.db,
      { kind: "create", trigger: opts.trigger, ok: false, file: name, durationMs: performance.now() - t0, error, startedAt: startedAt.toISOString(), finishedAt: now().toISOString() },
      { action: "backup.failed", details: { file: name, error: error.code, trigger: opts.trigger } },
    ).catch(() => {});
    throw e;
  }
}
