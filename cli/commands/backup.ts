import path from "node:path";
import type { Command } from "../command.ts";
import type { Output } from "../output.ts";
import { createBackup } from "../../app/.server/use-cases/create-backup.ts";
import { verifyBackup, type VerifyReport } from "../../app/.server/use-cases/verify-backup.ts";
import { BackupVerifyFailedError, restoreBackup } from "../../app/.server/use-cases/restore-backup.ts";
import type { BackupProblem } from "../../app/.server/domain/backup-manifest.ts";

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const size = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`);
const problemText = (out: Output, p: BackupProblem) => out.t(`cli.backupProblem.${p.code}`, p.params);
const withMessages = (out: Output, problems: BackupProblem[]) => problems.map((p) => ({ ...p, message: problemText(out, p) }));

/** `backup create [--to DIR]`: a consistent copy of the live database and its manifest. */
export const backupCreate: Command = {
  options: { to: { type: "string" } },
  needs: "config",
  async run(s, v, out) {
    const r = await createBackup(s.config, { dir: v.to ? String(v.to) : undefined, trigger: "cli" });
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
  options: {},
  positionals: { count: 1, name: "FILE" },
  needs: "config",
  async run(s, v, out) {
    return printVerify(out, await verifyBackup(s.config, String(v._0)));
  },
};

/** `backup restore FILE [--force]`: verified first; a database with data is replaced only with --force. */
export const backupRestore: Command = {
  options: { force: { type: "boolean", default: false } },
  positionals: { count: 1, name: "FILE" },
  needs: "config",
  async run(s, v, out) {
    try {
      const r = await restoreBackup(s.config, String(v._0), { force: Boolean(v.force) });
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
