import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { loadOrCreateSecretFile } from "./secret-file.ts";

/**
 * Where the master keys come from. From the environment (KEYRELAY_MASTER_KEY, plus
 * KEYRELAY_PREVIOUS_MASTER_KEYS during a rotation), or on the embedded default from files outside
 * the database: data/master.key (current) and data/master.previous (retired keys, one per line).
 */
export interface MasterKeys {
  current: Buffer;
  previous: Buffer[];
  source: string;
}

export function masterKeyFiles(dataDir: string) {
  return { current: path.join(dataDir, "master.key"), previous: path.join(dataDir, "master.previous") };
}

export function loadMasterKeys(opts: { fromEnv?: Buffer; previousFromEnv: Buffer[]; dataDir: string }): MasterKeys {
  if (opts.fromEnv) return { current: opts.fromEnv, previous: opts.previousFromEnv, source: "KEYRELAY_MASTER_KEY (environment)" };
  const files = masterKeyFiles(opts.dataDir);
  const current = loadOrCreateSecretFile(files.current, 32).secret;
  const previous = fs.existsSync(files.previous)
    ? fs.readFileSync(files.previous, "utf8").split("\n").map((l) => l.trim()).filter(Boolean).map((l) => Buffer.from(l, "base64"))
    : [];
  return { current, previous: [...previous, ...opts.previousFromEnv], source: `${files.current} (mode 0600)` };
}

/**
 * The master keys this machine has, without creating one: what `backup verify` checks a backup
 * against. A missing data/master.key is a finding there, not something to generate.
 */
export function readMasterKeys(opts: { fromEnv?: Buffer; previousFromEnv: Buffer[]; dataDir: string }): { current?: Buffer; previous: Buffer[]; source: string } {
  if (opts.fromEnv) return { current: opts.fromEnv, previous: opts.previousFromEnv, source: "KEYRELAY_MASTER_KEY (environment)" };
  const files = masterKeyFiles(opts.dataDir);
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").map((l) => l.trim()).filter(Boolean).map((l) => Buffer.from(l, "base64")).filter((k) => k.length === 32) : []);
  const [current] = read(files.current);
  return { current, previous: [...read(files.previous), ...opts.previousFromEnv], source: files.current };
}

/**
 * Starts a rotation on the embedded default: the current key moves to master.previous and a new
 * one becomes current. Processes must restart to load both; then `keys rotate-master` re-seals.
 */
export function generateNewMasterKeyFile(dataDir: string): { previousCount: number } {
  const files = masterKeyFiles(dataDir);
  const old = fs.readFileSync(files.current, "utf8").trim();
  const existing = fs.existsSync(files.previous) ? fs.readFileSync(files.previous, "utf8") : "";
  fs.writeFileSync(files.previous, existing + (existing && !existing.endsWith("\n") ? "\n" : "") + old + "\n", { mode: 0o600 });
  const tmp = `${files.current}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, crypto.randomBytes(32).toString("base64") + "\n", { mode: 0o600 });
  fs.renameSync(tmp, files.current);
  return { previousCount: existing.split("\n").filter(Boolean).length + 1 };
}
