import path from "node:path";
import type { Command } from "../command.ts";
import type { Output } from "../output.ts";
import { createBackup } from "../../app/.server/use-cases/create-backup.ts";
import { verifyBackup, type VerifyReport } from "../../app/.server/use-cases/verify-backup.ts";
import { BackupVerifyFailedError, restoreBackup } from "../../app/.server/use-cases/restore-backup.ts";
import fs from "node:fs";
import { parseManifest, type BackupProblem } from "../../app/.server/domain/backup-manifest.ts";
import { readMasterKeys } from "../../app/.server/crypto/master-keys.ts";
import type { Config } from "../../app/.server/config.ts";
import type { BackupSecret } from "../../app/.server/backup/backup-encryption.ts";
import { backupPaths } from "../../app/.server/use-cases/verify-backup.ts";
import { promptHidden, readPasswordFromStdin } from "../read-password.ts";
import { UsageError } from "../output.ts";

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const size = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`);
const problemText = (out: Output, p: BackupProblem) => out.t(`cli.backupProblem.${p.code}`, p.params);
const withMessages = (out: Output, problems: BackupProblem[]) => problems.map((p) => ({ ...p, message: problemText(out, p) }));

/** The passphrase: all of stdin with --passphrase-stdin, else BACKUP_PASSPHRASE, else asked on the terminal. */
async function passphrase(config: Config, v: Record<string, unknown>, out: Output, opts: { twice: boolean }): Promise<string | undefined> {
  if (v["passphrase-stdin"]) return readPasswordFromStdin();
  if (config.backup.passphrase) return config.backup.passphrase;
  if (!process.stdin.isTTY) return undefined;
  const first = await promptHidden(out.t("cli.backupPassphrase"));
  if (opts.twice && (await promptHidden(out.t("cli.backupPassphraseAgain"))) !== first) throw new UsageError("passwordMismatch");
  return first;
}

/** For verify / restore: a passphrase only when the manifest says the file needs one. */
async function passphraseIfNeeded(config: Config, file: string, v: Record<string, unknown>, out: Output): Promise<string | undefined> {
  const m = fs.existsSync(backupPaths(file).manifestFile) ? parseManifest(fs.readFileSync(backupPaths(file).manifestFile, "utf8")) : undefined;
  return m?.encryption?.mode === "passphrase" ? passphrase(config, v, out, { twice: false }) : undefined;
}

/** `backup create [--to DIR] [--encrypt | --encrypt-master-key]`: a consistent copy of the live database and its manifest. */
export const backupCreate: Command = {
  options: { to: { type: "string" }, encrypt: { type: "boolean", default: false }, "encrypt-master-key": { type: "boolean", default: false }, "passphrase-stdin": { type: "boolean", default: false } },
  needs: "config",
  validate(v) {
    if (v.encrypt && v["encrypt-master-key"]) throw new UsageError("unknownOption", { detail: "--encrypt and --encrypt-master-key: choose one" });
  },
  async run(s, v, out) {
    let encrypt: BackupSecret | undefined;
    if (v.encrypt) {
      const p = await passphrase(s.config, v, out, { twice: true });
      if (!p || p.length < 12) throw new UsageError("backupPassphraseShort");
      encrypt = { kind: "passphrase", passphrase: p };
    } else if (v["encrypt-master-key"]) {
      const keys = readMasterKeys({ fromEnv: s.config.masterKey, previousFromEnv: s.config.previousMasterKeys, dataDir: s.config.dataDir });
      if (!keys.current) throw new UsageError("backupNoMasterKey");
      encrypt = { kind: "master-key", keys: [keys.current] };
    }
    const r = await createBackup(s.config, { dir: v.to ? String(v.to) : undefined, trigger: "cli", encrypt });
    out.say(
      out.t("cli.backupCreated", {
        file: r.file,
        manifest: r.manifestFile,
        size: size(r.bytes),
        keys: r.keys,
        tables: Object.keys(r.manifest.tables).length,
        schemaVersion: r.manifest.schemaVersion,
        seconds: seconds(r.durationMs),
      }),
    );
    out.result({ file: r.file, manifestFile: r.manifestFile, bytes: r.bytes, keys: r.keys, durationMs: Math.round(r.durationMs), manifest: r.manifest });
    if (r.manifest.encryption?.mode === "passphrase") out.say(out.t("cli.backupEncryptedPassphrase"));
    if (r.manifest.encryption?.mode === "master-key") out.say(out.t("cli.backupEncryptedMasterKey", { keyId: r.manifest.encryption.keyId }));
  },
};

function printVerify(out: Output, r: VerifyReport): number {
  if (r.ok) {
    out.say(out.t("cli.backupVerifyOk", { file: r.file, tables: r.tables, rows: r.rows, keys: r.keys, sealed: r.sealedChecked, schemaVersion: r.schemaVersion, createdAt: r.createdAt, seconds: seconds(r.durationMs) }));
  } else {
    out.say(out.t("cli.backupVerifyFailed", { file: r.file }));
    for (const p of r.problems) out.say(`  - ${problemText(out, p)}`);
  }
  const { manifest: _manifest, ...rest } = r;
  out.result({ ...rest, durationMs: Math.round(r.durationMs), problems: withMessages(out, r.problems) });
  return r.ok ? 0 : 1;
}

/** `backup verify FILE`: exit 0 when it is restorable here, 1 with every problem listed. */
export const backupVerify: Command = {
  options: { "passphrase-stdin": { type: "boolean", default: false } },
  positionals: { count: 1, name: "FILE" },
  needs: "config",
  async run(s, v, out) {
    return printVerify(out, await verifyBackup(s.config, String(v._0), { passphrase: await passphraseIfNeeded(s.config, String(v._0), v, out) }));
  },
};

/** `backup restore FILE [--force]`: verified first; a database with data is replaced only with --force. */
export const backupRestore: Command = {
  options: { force: { type: "boolean", default: false }, "passphrase-stdin": { type: "boolean", default: false } },
  positionals: { count: 1, name: "FILE" },
  needs: "config",
  async run(s, v, out) {
    try {
      const r = await restoreBackup(s.config, String(v._0), { force: Boolean(v.force), passphrase: await passphraseIfNeeded(s.config, String(v._0), v, out) });
      out.say(
        out.t("cli.backupRestored", {
          file: path.basename(r.file),
          accounts: r.restored.accounts,
          keys: r.restored.keys,
          orders: r.restored.orders,
          replacedAccounts: r.replaced.accounts,
          replacedKeys: r.replaced.keys,
          seconds: seconds(r.durationMs),
        }),
      );
      out.result({ ...r, durationMs: Math.round(r.durationMs) });
    } catch (e) {
      // The reasons first (each problem), then the refusal itself as the command's error.
      if (e instanceof BackupVerifyFailedError && !out.json) for (const p of e.problems) process.stderr.write(`keyrelay: ${problemText(out, p)}\n`);
      throw e;
    }
  },
};
