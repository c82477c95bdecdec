import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../app/.server/config.ts";
import { masterKeyId } from "../../app/.server/crypto/key-cipher.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { createLogger } from "../../app/.server/logger.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import { findKeyByCode } from "../../app/.server/use-cases/find-key.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { revealKey } from "../../app/.server/use-cases/reveal-key.ts";
import { startHeartbeat } from "../../app/.server/runtime/process-heartbeat.ts";
import { dialects } from "../support/dialects.ts";
import { testEnv } from "../support/environment.ts";
import { runCli } from "../support/run-cli.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";
import { makeShop, paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";

const actor = { type: "cli" as const };
const json = (r: { stdout: string }) => JSON.parse(r.stdout);

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`backups on ${dialect}`, () => {
    let s: TestServices;
    let accountId: string;
    let poolId: string;
    let backup: { file: string; manifestFile: string; manifest: { tables: Record<string, number>; masterKeyIds: Record<string, number> } };
    const dirs: string[] = [];
    const databases: string[] = [];
    const tmp = () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-backup-test-"));
      dirs.push(d);
      return d;
    };
    const cli = (args: string[], env: Record<string, string> = s.env, stdin?: string) => runCli(args, { env: { LANG: "en_US.UTF-8", ...env }, stdin, timeoutMs: 60_000 });
    const importCodes = async (codes: string[]) => {
      async function* src() {
        yield new TextEncoder().encode(codes.join("\n"));
      }
      return (await importKeys(s, { accountId, poolId, format: "txt", actor, source: src() })).added;
    };
    const keyCount = async () => Number((await s.db.selectFrom("keys").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

    /** Another, empty installation: a new data folder with the same master key; on Postgres a new database. */
    async function emptyInstallation(): Promise<Record<string, string>> {
      const dataDir = tmp();
      if (dialect === "sqlite") {
        fs.copyFileSync(path.join(s.dataDir, "master.key"), path.join(dataDir, "master.key"));
        return { DATA_DIR: dataDir };
      }
      const name = `kr_restore_${crypto.randomBytes(4).toString("hex")}`;
      const admin = new pg.Client({ connectionString: testEnv.postgresUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      databases.push(name);
      const url = new URL(testEnv.postgresUrl);
      url.pathname = `/${name}`;
      // A schema that does not exist yet, under another name than the backup's: restore creates it.
      // (%20, not URLSearchParams' "+": libpq does not read "+" as a space.)
      const sep = url.search ? "&" : "?";
      return { DATA_DIR: dataDir, DATABASE_URL: `${url.toString()}${sep}options=${encodeURIComponent("-c search_path=restored")}`, KEYRELAY_MASTER_KEY: s.env.KEYRELAY_MASTER_KEY, SESSION_SECRET: s.env.SESSION_SECRET };
    }

    beforeAll(async () => {
      s = await makeServices({ dialect });
      accountId = (await createAccount(s.db, { name: "Backed up" })).id;
      poolId = (await createPool(s, accountId, { name: "Steam" }, actor)).id;
      expect(await importCodes(Array.from({ length: 300 }, (_, i) => `BK-${i}`))).toBe(300);
      const store = await insertStore(s.db, { accountId, platform: "woocommerce", domain: "https://w.example", name: "W" });
      const sealed = s.cipher.seal("wc-secret", store.id);
      await s.db.updateTable("stores").set({ webhook_secret_ciphertext: sealed.ciphertext, webhook_secret_key_id: sealed.keyId }).where("id", "=", store.id).execute();
    }, 60_000);
    afterAll(async () => {
      await s?.cleanup();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
      if (databases.length) {
        const admin = new pg.Client({ connectionString: testEnv.postgresUrl });
        await admin.connect();
        for (const d of databases) await admin.query(`drop database if exists ${d} with (force)`);
        await admin.end();
      }
    });

    it("create while keys are being imported: the copy matches its own manifest, and verify passes", async () => {
      const before = await keyCount();
      let writing = true;
      let batches = 0;
      const writer = (async () => {
        while (writing) {
          await importCodes(Array.from({ length: 20 }, (_, i) => `LIVE-${batches}-${i}`));
          batches++;
        }
      })();
      const dir = tmp();
      const r = await cli(["backup", "create", "--to", dir, "--json"]);
      writing = false;
      await writer;
      expect(r.code, r.stderr).toBe(0);
      backup = json(r);
      expect(batches).toBeGreaterThan(0);
      const after = await keyCount();
      expect(backup.manifest.tables.keys).toBeGreaterThanOrEqual(before);
      expect(backup.manifest.tables.keys).toBeLessThanOrEqual(after);
      expect(backup.manifest.masterKeyIds).toEqual({ [s.cipher.currentKeyId]: backup.manifest.tables.keys + 2 }); // + fingerprint secret + store secret
      expect(fs.statSync(backup.file).mode & 0o777).toBe(0o600);

      const v = await cli(["backup", "verify", backup.file, "--json"]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      expect(json(v)).toMatchObject({ ok: true, keys: backup.manifest.tables.keys, problems: [] });
      expect(json(v).sealedChecked).toBeGreaterThan(10);
      // FILE may also name the manifest.
      expect((await cli(["backup", "verify", backup.manifestFile])).stdout).toContain("Backup OK");

      const audit = await s.db.selectFrom("audit_log").selectAll().where("action", "=", "backup.created").execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ account_id: accountId, actor_type: "cli", subject_id: path.basename(backup.file) });
      const runs = await s.db.selectFrom("backup_runs").selectAll().execute();
      expect(runs).toMatchObject([{ kind: "create", trigger: "cli", ok: 1, keys: backup.manifest.tables.keys }]);
      expect(r.stdout + v.stdout).not.toMatch(/BK-\d|LIVE-\d|wc-secret/);
    }, 120_000);

    it("a changed byte, a truncated file or a newer schema fails verify with the reason", async () => {
      const dir = tmp();
      const copy = (suffix: string) => {
        const file = path.join(dir, `${suffix}-${path.basename(backup.file)}`);
        fs.copyFileSync(backup.file, file);
        const m = JSON.parse(fs.readFileSync(backup.manifestFile, "utf8"));
        m.files[0].name = path.basename(file);
        return { file, m, save: () => fs.writeFileSync(`${file}.manifest.json`, JSON.stringify(m)) };
      };
      const flipped = copy("flipped");
      flipped.save();
      const buf = fs.readFileSync(flipped.file);
      buf[Math.floor(buf.length / 2)] ^= 0xff;
      fs.writeFileSync(flipped.file, buf);
      const v = await cli(["backup", "verify", flipped.file, "--json"]);
      expect(v.code, v.stderr).toBe(1);
      expect(json(v).ok).toBe(false);
      expect(json(v).problems.map((p: { code: string }) => p.code)).toContain("checksum_mismatch");

      const truncated = copy("truncated");
      truncated.save();
      fs.truncateSync(truncated.file, Math.floor(buf.length / 3));
      const t = await cli(["backup", "verify", truncated.file]);
      expect(t.code, t.stderr).toBe(1);
      expect(t.stdout).toContain("truncated or changed");
      expect(t.stdout).toMatch(/damaged|cannot be read/);

      const newer = copy("newer");
      newer.m.migrations.push("9999-from-the-future");
      newer.save();
      const n = await cli(["backup", "verify", newer.file, "--json"]);
      expect(n.code, n.stderr).toBe(1);
      expect(json(n).problems).toEqual([expect.objectContaining({ code: "schema_newer", params: { migration: "9999-from-the-future" } })]);
      const refused = await cli(["backup", "restore", newer.file, "--force", "--json"]);
      expect(refused.code, refused.stderr).toBe(1);
      expect(json(refused).error.code).toBe("backup_verify_failed");
    }, 120_000);

    it("verify without the backup's master key fails naming the key id, and creates no key", async () => {
      const dataDir = tmp();
      const env = dialect === "sqlite" ? { DATA_DIR: dataDir } : { ...s.env, DATA_DIR: dataDir, KEYRELAY_MASTER_KEY: crypto.randomBytes(32).toString("base64") };
      const v = await cli(["backup", "verify", backup.file, "--json"], env);
      expect(v.code).toBe(1);
      const id = s.cipher.currentKeyId;
      expect(json(v).problems).toEqual([expect.objectContaining({ code: "master_key_missing", params: { keyId: id, rows: backup.manifest.masterKeyIds[id] } })]);
      expect(json(v).problems[0].message).toContain(`Master key ${id} is not on this machine`);
      expect(fs.existsSync(path.join(dataDir, "master.key"))).toBe(false);
      const zh = await cli(["backup", "verify", backup.file, "--locale=zh-CN"], env);
      expect(zh.stdout).toContain(`本机没有主密钥 ${id}`);
      // With the retired key supplied as a previous one, the same backup verifies.
      if (dialect === "postgres") {
        const ok = await cli(["backup", "verify", backup.file], { ...env, KEYRELAY_PREVIOUS_MASTER_KEYS: s.env.KEYRELAY_MASTER_KEY });
        expect(ok.code, ok.stdout).toBe(0);
        expect(masterKeyId(Buffer.from(s.env.KEYRELAY_MASTER_KEY, "base64"))).toBe(id);
      }
    }, 60_000);

    it("restore into an empty installation: the same counts, and its keys decrypt", async () => {
      const env = await emptyInstallation();
      const r = await cli(["backup", "restore", backup.file, "--json"], env);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ replaced: { accounts: 0, keys: 0 }, restored: { accounts: 1, keys: backup.manifest.tables.keys } });
      const restored = await createServices(loadConfig(env), { log: createLogger({ level: "silent" }) });
      try {
        for (const [table, n] of Object.entries(backup.manifest.tables)) {
          if (table === "audit_log" || table === "backup_runs" || table.startsWith("kysely_")) continue; // the restore adds its own rows
          const got = Number((await restored.db.selectFrom(table as "keys").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
          expect({ table, n: got }).toEqual({ table, n });
        }
        const key = await findKeyByCode(restored, accountId, "BK-299");
        expect((await revealKey(restored, accountId, key!.keyId, actor)).code).toBe("BK-299");
        expect(await restored.db.selectFrom("audit_log").select("action").where("action", "=", "backup.restored").execute()).toHaveLength(1);
      } finally {
        await restored.close();
      }
    }, 120_000);

    it("encrypted backups: a passphrase (wrong or missing: refused) or the master key (named when missing); restore decrypts", async () => {
      const dir = tmp();
      const pass = "a long backup passphrase";
      const c = await cli(["backup", "create", "--to", dir, "--encrypt", "--passphrase-stdin", "--json"], s.env, pass + "\n");
      expect(c.code, c.stderr).toBe(0);
      const enc = json(c);
      expect(enc.file).toMatch(/\.(sqlite|pgdump)\.enc$/);
      expect(enc.manifest.encryption).toEqual({ mode: "passphrase" });
      // Not the plain format any more: neither SQLite's header nor pg_dump's PGDMP.
      expect(fs.readFileSync(enc.file).subarray(0, 8).toString()).toBe("KRBKENC1");
      expect((await cli(["backup", "verify", enc.file, "--passphrase-stdin", "--json"], s.env, pass + "\n")).code).toBe(0);
      const wrong = await cli(["backup", "verify", enc.file, "--passphrase-stdin", "--json"], s.env, "another passphrase!\n");
      expect(wrong.code).toBe(1);
      expect(json(wrong).problems.map((p: { code: string }) => p.code)).toEqual(["backup_decrypt_failed"]);
      const none = await cli(["backup", "verify", enc.file, "--json"]);
      expect(json(none).problems.map((p: { code: string }) => p.code)).toEqual(["passphrase_needed"]);

      const env = await emptyInstallation();
      const r = await cli(["backup", "restore", enc.file, "--json"], { ...env, BACKUP_PASSPHRASE: pass });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const restored = await createServices(loadConfig(env), { log: createLogger({ level: "silent" }) });
      try {
        const key = await findKeyByCode(restored, accountId, "BK-42");
        expect((await revealKey(restored, accountId, key!.keyId, actor)).code).toBe("BK-42");
      } finally {
        await restored.close();
      }

      // The audit trail names the backup and how it was encrypted, never the passphrase.
      const audit = await s.db.selectFrom("audit_log").select("details").where("action", "like", "backup.%").execute();
      expect(audit.length).toBeGreaterThan(0);
      expect(JSON.stringify(audit)).not.toContain(pass);
      expect(audit.some((a) => JSON.parse(a.details!).encrypted === "passphrase")).toBe(true);

      const mk = await cli(["backup", "create", "--to", dir, "--encrypt-master-key", "--json"]);
      expect(mk.code, mk.stderr).toBe(0);
      expect(json(mk).manifest.encryption).toEqual({ mode: "master-key", keyId: s.cipher.currentKeyId });
      expect((await cli(["backup", "verify", json(mk).file])).code).toBe(0);
      const elsewhere = dialect === "sqlite" ? { DATA_DIR: tmp() } : { ...s.env, DATA_DIR: tmp(), KEYRELAY_MASTER_KEY: crypto.randomBytes(32).toString("base64") };
      const v = await cli(["backup", "verify", json(mk).file, "--json"], elsewhere);
      expect(v.code).toBe(1);
      expect(json(v).problems).toEqual([expect.objectContaining({ code: "master_key_missing", params: expect.objectContaining({ keyId: s.cipher.currentKeyId }) })]);
    }, 120_000);

    it("restore under a running app is refused, even with --force, and changes nothing", async () => {
      const before = await keyCount();
      const hb = await startHeartbeat(s.db, "all", s.log);
      try {
        const r = await cli(["backup", "restore", backup.file, "--force", "--json"]);
        expect(r.code).toBe(2);
        expect(json(r).error).toMatchObject({ code: "backup_restore_app_running", params: { role: "all", pid: process.pid } });
        expect(json(r).error.message).toContain("stop every keyrelay process");
      } finally {
        await hb.stop();
      }
      expect(await keyCount()).toBe(before);
    }, 60_000);

    it("restore into a database with data is refused without --force and changes nothing; with --force it replaces it", async () => {
      await importCodes(["AFTER-BACKUP-1"]);
      const count = await keyCount();
      const r = await cli(["backup", "restore", backup.file, "--json"]);
      expect(r.code).toBe(2);
      expect(json(r).error).toMatchObject({ code: "backup_restore_not_empty", field: "--force", params: { accounts: 1, keys: count } });
      const human = await cli(["backup", "restore", backup.file]);
      expect(human.stderr).toContain("pass --force");
      expect(await keyCount()).toBe(count);
      expect(await findKeyByCode(s, accountId, "AFTER-BACKUP-1")).toBeTruthy();

      // Backup → wipe-by-restore: the database is exactly the backup again (same schema name on Postgres).
      const forced = await cli(["backup", "restore", backup.file, "--force", "--json"]);
      expect(forced.code, forced.stdout + forced.stderr).toBe(0);
      const fresh = await createServices(loadConfig(s.env), { log: createLogger({ level: "silent" }) });
      try {
        expect(Number((await fresh.db.selectFrom("keys").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n)).toBe(backup.manifest.tables.keys);
        expect(await findKeyByCode(fresh, accountId, "AFTER-BACKUP-1")).toBeFalsy();
        const key = await findKeyByCode(fresh, accountId, "BK-7");
        expect((await revealKey(fresh, accountId, key!.keyId, actor)).code).toBe("BK-7");
      } finally {
        await fresh.close();
      }
    }, 120_000);

    it("backup while orders are being allocated: the copy is one instant (every claimed key has its allocation); wipe → restore → the same orders, their keys decrypt", async () => {
      const shop = await makeShop(s);
      await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: 600 }, (_, i) => `ORD-${i}`));
      let allocating = true;
      let orders = 0;
      const load = (async () => {
        while (allocating) {
          await Promise.all(Array.from({ length: 10 }, () => applyHostOrder(s, shop.store, paidOrder())));
          orders += 10;
        }
      })();
      const r = await cli(["backup", "create", "--to", tmp(), "--json"]);
      allocating = false;
      await load;
      expect(r.code, r.stderr).toBe(0);
      expect(orders).toBeGreaterThan(0);
      const b = json(r);
      expect((await cli(["backup", "verify", b.file])).code).toBe(0);

      const env = await emptyInstallation();
      expect((await cli(["backup", "restore", b.file, "--json"], env)).code).toBe(0);
      const restored = await createServices(loadConfig(env), { log: createLogger({ level: "silent" }) });
      try {
        const n = async (q: { executeTakeFirstOrThrow(): Promise<{ n: number | string }> }) => Number((await q.executeTakeFirstOrThrow()).n);
        const ordersThere = await n(restored.db.selectFrom("orders").select((eb) => eb.fn.countAll<number>().as("n")).where("store_id", "=", shop.store.id));
        expect(ordersThere).toBeGreaterThan(0);
        expect(await n(restored.db.selectFrom("orders").select((eb) => eb.fn.countAll<number>().as("n")))).toBe(b.manifest.tables.orders);
        // Not torn: the keys no longer available are exactly the ones an allocation holds.
        const claimed = await n(restored.db.selectFrom("keys").select((eb) => eb.fn.countAll<number>().as("n")).where("pool_id", "=", shop.poolId).where("state", "!=", "available"));
        const allocated = await n(restored.db.selectFrom("allocations as a").innerJoin("keys as k", "k.id", "a.key_id").select((eb) => eb.fn.countAll<number>().as("n")).where("k.pool_id", "=", shop.poolId));
        expect(claimed).toBe(allocated);
        expect(allocated).toBeGreaterThan(0);
        const one = await restored.db.selectFrom("allocations as a").innerJoin("keys as k", "k.id", "a.key_id").select("k.id").where("k.pool_id", "=", shop.poolId).executeTakeFirstOrThrow();
        expect((await revealKey(restored, shop.accountId, Number(one.id), actor)).code).toMatch(/^ORD-\d+$/);
      } finally {
        await restored.close();
      }
    }, 180_000);
  });
}
