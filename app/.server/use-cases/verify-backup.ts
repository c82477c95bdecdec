import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "../config.ts";
import { readMasterKeys } from "../crypto/master-keys.ts";
import { sha256File } from "../backup/file-checksum.ts";
import { BackupDecryptError, decryptFile, type BackupSecret } from "../backup/backup-encryption.ts";
import { inspectPostgresArchive } from "../backup/postgres-backup.ts";
import { checkSealedSamples, type MasterKeySet } from "../backup/sealed-samples.ts";
import { offThread, type CopyContents } from "../backup/sqlite-backup.ts";
import { compareCounts, newerMigrations, parseManifest, type BackupManifest, type BackupProblem } from "../domain/backup-manifest.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { migrations } from "../../../db/migrations/index.ts";

export interface VerifyReport {
  ok: boolean;
  file: string;
  manifestFile: string;
  dialect?: BackupManifest["dialect"];
  createdAt?: string;
  schemaVersion?: string;
  tables: number;
  rows: number;
  keys: number;
  /** Sealed values opened with this machine's master keys (then discarded). */
  sealedChecked: number;
  problems: BackupProblem[];
  durationMs: number;
  /** The parsed manifest, for restore. */
  manifest?: BackupManifest;
}

/** FILE may name the backup or its manifest. */
export function backupPaths(file: string): { data?: string; manifestFile: string } {
  const abs = path.resolve(file);
  if (abs.endsWith(".manifest.json")) return { manifestFile: abs };
  return { data: abs, manifestFile: `${abs}.manifest.json` };
}

/**
 * Everything that must hold for a backup to be restorable, checked the day it is made: its
 * manifest, each file's size and SHA-256, the copy opening cleanly (SQLite integrity_check on a
 * temporary copy, so the backup file itself is never opened for writing; Postgres: pg_restore
 * reading every table's data), the row counts against the manifest, a schema this build knows,
 * and a sample of sealed values opening with this machine's master keys.
 */
export async function verifyBackup(config: Config, file: string, opts: { masterKeys?: MasterKeySet; passphrase?: string } = {}): Promise<VerifyReport> {
  const t0 = performance.now();
  const paths = backupPaths(file);
  const report: VerifyReport = { ok: false, file: paths.data ?? paths.manifestFile, manifestFile: paths.manifestFile, tables: 0, rows: 0, keys: 0, sealedChecked: 0, problems: [], durationMs: 0 };
  const done = () => ({ ...report, ok: report.problems.length === 0, durationMs: performance.now() - t0 });

  if (paths.data && !fs.existsSync(paths.data)) throw new InvalidInputError("backup_file_not_found", `no backup at ${paths.data}`, { field: "FILE", params: { file: paths.data } });
  const manifest = fs.existsSync(paths.manifestFile) ? parseManifest(fs.readFileSync(paths.manifestFile, "utf8")) : undefined;
  if (!manifest) {
    report.problems.push({ code: "manifest_unreadable", params: { file: paths.manifestFile } });
    return done();
  }
  report.manifest = manifest;
  report.dialect = manifest.dialect;
  report.createdAt = manifest.createdAt;
  report.schemaVersion = manifest.schemaVersion;
  const dir = path.dirname(paths.manifestFile);
  const data = path.join(dir, manifest.files[0]?.name ?? "");
  report.file = data;

  for (const m of newerMigrations(manifest, Object.keys(migrations))) report.problems.push({ code: "schema_newer", params: { migration: m } });

  for (const f of manifest.files) {
    const p = path.join(dir, f.name);
    if (!fs.existsSync(p)) {
      report.problems.push({ code: "file_missing", params: { file: f.name } });
      continue;
    }
    const sum = await sha256File(p);
    if (sum.bytes !== f.bytes) report.problems.push({ code: "size_mismatch", params: { file: f.name, expected: f.bytes, actual: sum.bytes } });
    else if (sum.sha256 !== f.sha256) report.problems.push({ code: "checksum_mismatch", params: { file: f.name } });
  }
  if (!fs.existsSync(data)) return done();

  const keys = opts.masterKeys ?? readMasterKeys({ fromEnv: config.masterKey, previousFromEnv: config.previousMasterKeys, dataDir: config.dataDir });
  let contents: CopyContents | undefined;
  // Opened on a temporary copy (decrypted, if it is encrypted): the backup itself is only read.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-verify-"));
  try {
    const copy = path.join(tmp, manifest.dialect === "sqlite" ? "copy.sqlite" : "copy.pgdump");
    if (manifest.encryption) {
      const secret = secretFor(manifest.encryption.mode, keys, opts.passphrase ?? config.backup.passphrase);
      if (!secret) {
        report.problems.push({ code: "passphrase_needed", params: {} });
        return done();
      }
      const problem = await decryptInto(data, copy, secret);
      if (problem?.code === "master_key_missing") problem.params.rows = manifest.masterKeyIds[String(problem.params.keyId)] ?? 0;
      if (problem) {
        report.problems.push(problem);
        return done();
      }
    } else if (manifest.dialect === "sqlite") fs.copyFileSync(data, copy);
    const source = manifest.encryption || manifest.dialect === "sqlite" ? copy : data;
    if (manifest.dialect === "sqlite") {
      try {
        const r = await offThread({ op: "inspect", file: source, samples: true, integrity: true });
        if (r.integrity.length) report.problems.push({ code: "integrity_failed", params: { detail: r.integrity.slice(0, 3).join("; ") } });
        else contents = r;
      } catch (e) {
        report.problems.push({ code: "integrity_failed", params: { detail: (e as Error).message } });
      }
    } else {
      const r = await inspectPostgresArchive(source, { samples: true });
      if (r.unreadable) report.problems.push({ code: "archive_unreadable", params: { detail: r.unreadable } });
      else contents = r;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (!contents) return done();

  report.problems.push(...compareCounts(manifest.tables, contents.tables));
  report.tables = Object.keys(contents.tables).length;
  report.rows = Object.values(contents.tables).reduce((a, b) => a + b, 0);
  report.keys = contents.tables.keys ?? 0;

  // The key ids the copy really holds count too, should the manifest have been edited.
  const needed = { masterKeyIds: { ...contents.masterKeyIds, ...manifest.masterKeyIds } };
  const sealed = checkSealedSamples(contents.samples, needed, keys);
  report.problems.push(...sealed.problems);
  report.sealedChecked = sealed.opened;
  return done();
}

/** The secret an encrypted backup asks for: the passphrase, or this machine's master keys. */
export function secretFor(mode: "passphrase" | "master-key", keys: MasterKeySet, passphrase: string | undefined): BackupSecret | undefined {
  if (mode === "passphrase") return passphrase ? { kind: "passphrase", passphrase } : undefined;
  return { kind: "master-key", keys: [...(keys.current ? [keys.current] : []), ...keys.previous] };
}

/** Decrypts a backup to `dest`; a problem (never a secret) when it cannot. */
export async function decryptInto(src: string, dest: string, secret: BackupSecret): Promise<BackupProblem | undefined> {
  try {
    await decryptFile(src, dest, secret);
    return undefined;
  } catch (e) {
    if (!(e instanceof BackupDecryptError)) throw e;
    if (e.reason === "master_key_missing") return { code: "master_key_missing", params: { keyId: e.keyId ?? "?", rows: 0 } };
    return { code: "backup_decrypt_failed", params: {} };
  }
}
