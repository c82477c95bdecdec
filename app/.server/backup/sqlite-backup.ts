import fs from "node:fs";
import { Worker } from "node:worker_threads";
import SQLite from "better-sqlite3";
import { KEY_SAMPLE_SIZE, tallyKeyIds, tokenKeyId, type SealedSample } from "./sealed-samples.ts";

/**
 * SQLite side of backups. The copy is `VACUUM INTO` on a read-only connection of its own: one read
 * transaction, so the copy is the database as of one instant while the app keeps writing (WAL
 * lets readers and the writer go on together), and it is compact and self-contained (no -wal).
 */
export function snapshotSqlite(liveFile: string, dest: string): void {
  if (!fs.existsSync(liveFile)) throw Object.assign(new Error(`no database at ${liveFile}`), { code: "ENOENT" });
  const db = new SQLite(liveFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 10000");
    db.prepare("VACUUM INTO ?").run(dest);
  } finally {
    db.close();
  }
}

export interface CopyContents {
  tables: Record<string, number>;
  migrations: string[];
  masterKeyIds: Record<string, number>;
  samples: SealedSample[];
}

const hasTable = (db: SQLite.Database, name: string) => Boolean(db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name));

/** Row counts, migrations and sealed-value key ids of an open SQLite database (the copy itself, so they match it exactly). */
export function readSqliteContents(db: SQLite.Database, opts: { samples: boolean }): CopyContents {
  const names = (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as { name: string }[]).map((r) => r.name);
  const tables: Record<string, number> = {};
  for (const n of names) tables[n] = Number((db.prepare(`select count(*) as n from "${n.replaceAll('"', '""')}"`).get() as { n: number }).n);
  const migrations = hasTable(db, "kysely_migration") ? (db.prepare("select name from kysely_migration order by name").all() as { name: string }[]).map((r) => r.name) : [];

  const masterKeyIds: Record<string, number> = {};
  const add = (q: string) => {
    for (const r of db.prepare(q).all() as { k: string | null; n: number }[]) if (r.k) masterKeyIds[r.k] = (masterKeyIds[r.k] ?? 0) + Number(r.n);
  };
  if (hasTable(db, "keys")) add("select key_id as k, count(*) as n from keys group by key_id");
  if (hasTable(db, "system_settings")) add("select key_id as k, count(*) as n from system_settings where key_id is not null group by key_id");
  if (hasTable(db, "stores")) {
    add("select credentials_key_id as k, count(*) as n from stores where credentials_key_id is not null group by credentials_key_id");
    add("select webhook_secret_key_id as k, count(*) as n from stores where webhook_secret_key_id is not null group by webhook_secret_key_id");
  }
  if (hasTable(db, "admin_two_factor")) add("select secret_key_id as k, count(*) as n from admin_two_factor group by secret_key_id");
  if (hasTable(db, "shopify_sessions")) {
    for (const r of db.prepare("select access_token, refresh_token from shopify_sessions").iterate() as Iterable<{ access_token: string | null; refresh_token: string | null }>) {
      tallyKeyIds(masterKeyIds, [tokenKeyId(r.access_token), tokenKeyId(r.refresh_token)]);
    }
  }

  const samples: SealedSample[] = [];
  if (opts.samples) {
    if (hasTable(db, "keys")) {
      // A random spread, plus the first key under each master key (a rotation half done needs both).
      const rows = db
        .prepare(
          `select id, account_id, key_id, ciphertext from keys
           where id in (select id from keys order by random() limit ${KEY_SAMPLE_SIZE}) or id in (select min(id) from keys group by key_id)`,
        )
        .all() as { id: number; account_id: string; key_id: string; ciphertext: Buffer }[];
      for (const r of rows) samples.push({ table: "keys", id: String(r.id), keyId: r.key_id, ciphertext: r.ciphertext, aad: r.account_id });
    }
    if (hasTable(db, "system_settings")) {
      for (const r of db.prepare("select name, key_id, value from system_settings where key_id is not null").all() as { name: string; key_id: string; value: Buffer }[]) {
        samples.push({ table: "system_settings", id: r.name, keyId: r.key_id, ciphertext: r.value, aad: `system:${r.name}` });
      }
    }
    if (hasTable(db, "stores")) {
      const rows = db.prepare("select id, credentials_ciphertext, credentials_key_id, webhook_secret_ciphertext, webhook_secret_key_id from stores").all() as {
        id: string;
        credentials_ciphertext: Buffer | null;
        credentials_key_id: string | null;
        webhook_secret_ciphertext: Buffer | null;
        webhook_secret_key_id: string | null;
      }[];
      for (const r of rows) {
        if (r.credentials_ciphertext && r.credentials_key_id) samples.push({ table: "stores", id: r.id, keyId: r.credentials_key_id, ciphertext: r.credentials_ciphertext, aad: r.id });
        if (r.webhook_secret_ciphertext && r.webhook_secret_key_id) samples.push({ table: "stores", id: r.id, keyId: r.webhook_secret_key_id, ciphertext: r.webhook_secret_ciphertext, aad: r.id });
      }
    }
  }
  return { tables, migrations, masterKeyIds, samples };
}

/** Opens a copy read-only and reads it; `integrity` also runs SQLite's full integrity check first. */
export function inspectSqliteFile(file: string, opts: { samples: boolean; integrity: boolean }): CopyContents & { integrity: string[] } {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = opts.integrity ? (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).filter((r) => r !== "ok") : [];
    if (integrity.length) return { integrity, tables: {}, migrations: [], masterKeyIds: {}, samples: [] };
    return { integrity, ...readSqliteContents(db, opts) };
  } finally {
    db.close();
  }
}

/** What the target database holds that a restore would replace (accounts own everything else). */
export function sqliteLiveData(file: string): { accounts: number; keys: number; orders: number } {
  if (!fs.existsSync(file)) return { accounts: 0, keys: 0, orders: 0 };
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const count = (t: string) => (hasTable(db, t) ? Number((db.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n) : 0);
    return { accounts: count("accounts"), keys: count("keys"), orders: count("orders") };
  } finally {
    db.close();
  }
}

/**
 * Copies a verified backup into the live file with SQLite's backup API: the destination is written
 * under one exclusive lock, so other connections see the old database or the restored one, never a
 * mix, and a failure part-way leaves the old one. (Replacing the file underneath a running process
 * would leave it writing to a deleted inode.)
 */
export async function restoreSqlite(copy: string, target: string): Promise<void> {
  const src = new SQLite(copy, { readonly: true, fileMustExist: true });
  try {
    // Every page in one step: the destination is locked once, start to end.
    await src.backup(target, { progress: () => Number.MAX_SAFE_INTEGER });
  } finally {
    src.close();
  }
}

/** Runs the copy (then counts it) or an inspection on a worker thread with its own connection. */
export function offThread(job: { op: "snapshot"; live: string; dest: string } | { op: "inspect"; file: string; samples: boolean; integrity: boolean }): Promise<CopyContents & { integrity: string[] }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./sqlite-backup-worker.ts", import.meta.url), { workerData: job });
    let settled = false;
    w.once("message", (m: { ok: true; value: CopyContents & { integrity: string[] } } | { ok: false; message: string; code?: string }) => {
      settled = true;
      if (m.ok) {
        // Buffers arrive as plain Uint8Arrays from the worker.
        for (const s of m.value.samples) s.ciphertext = Buffer.from(s.ciphertext);
        resolve(m.value);
      } else reject(Object.assign(new Error(m.message), { code: m.code }));
    });
    w.once("error", (e) => {
      if (!settled) reject(e);
    });
    w.once("exit", (code) => {
      if (!settled) reject(new Error(`backup worker exited with ${code}`));
    });
  });
}
