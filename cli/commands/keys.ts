import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { Command } from "../command.ts";
import type { KeyState } from "../../app/.server/db/schema.ts";
import { KEY_STATES } from "../../app/.server/domain/key-states.ts";
import { exportKeys } from "../../app/.server/use-cases/export-keys.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import type { TextEncodingName } from "../../app/.server/import/parse-key-file.ts";
import { UsageError } from "../output.ts";
import { progressBar } from "../progress-bar.ts";
import { resolveAccount } from "../resolve-account.ts";

const ENCODINGS = ["utf-8", "utf-16le", "utf-16be", "gb18030"];

/** `--map code=Serial,pin=PIN` → { code: "Serial", pin: "PIN" } */
export function parseMap(raw: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of raw.split(",")) {
    const i = pair.indexOf("=");
    if (i <= 0 || i === pair.length - 1) throw new UsageError("badMap", { value: pair });
    map[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return map;
}

export const keysImport: Command = {
  options: {
    account: { type: "string" },
    pool: { type: "string" },
    format: { type: "string" },
    encoding: { type: "string" },
    map: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    supplier: { type: "string" },
    notes: { type: "string" },
    cost: { type: "string" },
    expires: { type: "string" },
  },
  positionals: { count: 1, name: "FILE" },
  needs: "services",
  validate(v) {
    if (!v.pool) throw new UsageError("missingOption", { option: "--pool" });
    if (v.format && v.format !== "txt" && v.format !== "csv") throw new UsageError("badChoice", { option: "--format", choices: "txt, csv" });
    if (v.encoding && !ENCODINGS.includes(String(v.encoding))) throw new UsageError("badChoice", { option: "--encoding", choices: ENCODINGS.join(", ") });
    if (v.map) parseMap(String(v.map));
    const file = String(v._0);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError("fileNotFound", { file });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const file = String(v._0);
    const format = (v.format as "txt" | "csv" | undefined) ?? (path.extname(file).toLowerCase() === ".csv" ? "csv" : "txt");
    const bar = progressBar((p) => out.t("cli.importProgress", { lines: p.lines, added: p.added }), !out.json && Boolean(process.stderr.isTTY));
    const report = await importKeys(s, {
      accountId,
      poolId: String(v.pool),
      source: fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
      sourceName: path.basename(file),
      format,
      encoding: v.encoding as TextEncodingName | undefined,
      map: v.map ? parseMap(String(v.map)) : undefined,
      dryRun: Boolean(v["dry-run"]),
      batch: { supplier: v.supplier as string | undefined, notes: v.notes as string | undefined, cost: v.cost as string | undefined, expiresAt: v.expires as string | undefined },
      actor: { type: "cli" },
      onProgress: (p) => bar.update(p),
    });
    bar.done();
    out.say(
      out.t(report.dryRun ? "cli.importDryRun" : "cli.importDone", {
        added: report.added,
        inFile: report.duplicates.inFile,
        inStock: report.duplicates.inStock,
        invalid: report.invalid.count,
        seconds: (report.elapsedMs / 1000).toFixed(1),
        encoding: report.encoding,
      }),
    );
    for (const l of report.invalid.lines.slice(0, 20)) out.say(out.t("cli.invalidLine", { line: l.line, reason: out.t(`importReasons.${l.reason}`, { defaultValue: l.reason }) }));
    if (report.invalid.count > 20) out.say(out.t("cli.moreInvalid", { count: report.invalid.count - 20 }));
    out.result(report);
  },
};

export const keysExport: Command = {
  options: {
    account: { type: "string" },
    pool: { type: "string" },
    state: { type: "string" },
    batch: { type: "string" },
    plaintext: { type: "boolean", default: false },
    out: { type: "string" },
  },
  needs: "services",
  validate(v) {
    if (!v.pool) throw new UsageError("missingOption", { option: "--pool" });
    if (!v.out) throw new UsageError("missingOption", { option: "--out" });
    if (v.state && !KEY_STATES.includes(v.state as KeyState)) throw new UsageError("badChoice", { option: "--state", choices: KEY_STATES.join(", ") });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const file = String(v.out);
    let rows = -1;
    const lines = exportKeys(s, accountId, { poolId: String(v.pool), state: v.state as KeyState | undefined, batchId: v.batch as string | undefined, plaintext: Boolean(v.plaintext) }, { type: "cli" });
    async function* counted() {
      for await (const chunk of lines) {
        rows += chunk.split("\n").length - 1;
        yield chunk;
      }
    }
    // The file holds codes (plaintext when asked): readable by its owner only.
    await pipeline(Readable.from(counted()), fs.createWriteStream(file, { mode: 0o600 }));
    out.say(out.t("cli.exported", { count: Math.max(rows, 0), file }));
    out.result({ file, keys: Math.max(rows, 0), plaintext: Boolean(v.plaintext) });
  },
};
