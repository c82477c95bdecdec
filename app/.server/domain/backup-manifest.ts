/**
 * What a backup says about itself (the manifest beside the file), and the pure checks on it:
 * does a copy hold what its manifest promised, is it from a schema this build knows, which old
 * backups retention removes. No I/O here: the backup/ adapters read files and databases.
 */

export const MANIFEST_FORMAT = "keyrelay-backup/1";

export interface BackupFileEntry {
  /** The file's name, beside the manifest. */
  name: string;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  createdAt: string;
  dialect: "sqlite" | "postgres";
  /** The last migration applied in the copy: the schema version. */
  schemaVersion: string;
  migrations: string[];
  /** Postgres: the schema the installation lives in (restored under the target's own name). */
  postgresSchema?: string;
  /** Rows per table, counted inside the same snapshot the copy was taken from. */
  tables: Record<string, number>;
  /** Master key ids the sealed rows need (keys, store secrets, settings), with how many rows each. */
  masterKeyIds: Record<string, number>;
  files: BackupFileEntry[];
  /** Set when the file is encrypted (backup/backup-encryption.ts): by a passphrase, or by the master key with this id. */
  encryption?: { mode: "passphrase" | "master-key"; keyId?: string };
}

/** A problem a check found: a catalog code (backups.problem.<code>) and its params. Never a secret. */
export interface BackupProblem {
  code:
    | "manifest_unreadable"
    | "file_missing"
    | "checksum_mismatch"
    | "size_mismatch"
    | "archive_unreadable"
    | "integrity_failed"
    | "count_mismatch"
    | "table_missing"
    | "schema_newer"
    | "master_key_missing"
    | "decrypt_failed"
    | "dialect_mismatch"
    | "backup_decrypt_failed"
    | "passphrase_needed";
  params: Record<string, string | number>;
}

/** Parses a manifest's JSON; undefined when it is not one of ours. */
export function parseManifest(text: string): BackupManifest | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = v as Partial<BackupManifest> | null;
  if (!m || m.format !== MANIFEST_FORMAT || (m.dialect !== "sqlite" && m.dialect !== "postgres")) return undefined;
  if (typeof m.schemaVersion !== "string" || !Array.isArray(m.migrations) || !Array.isArray(m.files) || typeof m.tables !== "object" || !m.tables) return undefined;
  if (typeof m.masterKeyIds !== "object" || !m.masterKeyIds) return undefined;
  return m as BackupManifest;
}

/** The manifest's row counts against the copy's own: every table, both ways. */
export function compareCounts(expected: Record<string, number>, actual: Record<string, number>): BackupProblem[] {
  const problems: BackupProblem[] = [];
  for (const [table, n] of Object.entries(expected)) {
    if (!(table in actual)) problems.push({ code: "table_missing", params: { table } });
    else if (actual[table] !== n) problems.push({ code: "count_mismatch", params: { table, expected: n, actual: actual[table] } });
  }
  for (const [table, n] of Object.entries(actual)) {
    if (!(table in expected)) problems.push({ code: "count_mismatch", params: { table, expected: 0, actual: n } });
  }
  return problems;
}

/** A backup whose migrations this build does not know comes from a newer keyrelay: restoring it would lose columns. */
export function newerMigrations(manifest: Pick<BackupManifest, "migrations">, known: readonly string[]): string[] {
  const k = new Set(known);
  return manifest.migrations.filter((m) => !k.has(m));
}

/** The master key ids a backup needs that the loaded keys do not have. */
export function missingMasterKeys(manifest: Pick<BackupManifest, "masterKeyIds">, loaded: readonly string[]): string[] {
  const l = new Set(loaded);
  return Object.keys(manifest.masterKeyIds).filter((id) => !l.has(id)).sort();
}

const NAME = /^keyrelay-(\d{8}T\d{6}\d{3}Z)\.(sqlite|pgdump)(\.enc)?$/;

/** keyrelay-20261207T093015123Z.sqlite: sorts by time, one per millisecond. */
export function backupFileName(at: Date, dialect: "sqlite" | "postgres"): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(".", "");
  return `keyrelay-${stamp}.${dialect === "sqlite" ? "sqlite" : "pgdump"}`;
}

export function manifestNameFor(fileName: string): string {
  return `${fileName}.manifest.json`;
}

/** Retention: of the backup files in a folder (other files ignored), the ones beyond the newest `keep`. */
export function backupsToPrune(names: readonly string[], keep: number): string[] {
  const ours = names.filter((n) => NAME.test(n)).sort();
  return keep >= ours.length ? [] : ours.slice(0, ours.length - keep);
}
