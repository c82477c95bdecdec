import fs from "node:fs";
import path from "node:path";
import iconv from "iconv-lite";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { KeyrelayError } from "../../app/.server/domain/errors.ts";
import { createPool, editPool } from "../../app/.server/use-cases/manage-pools.ts";
import { getDashboard } from "../../app/.server/use-cases/get-dashboard.ts";
import { expireKeys } from "../../app/.server/use-cases/expire-keys.ts";
import { exportKeys } from "../../app/.server/use-cases/export-keys.ts";
import { findKeyByCode } from "../../app/.server/use-cases/find-key.ts";
import { IMPORT_CHUNK, importKeys, type ImportKeysInput } from "../../app/.server/use-cases/import-keys.ts";
import { listPoolKeys } from "../../app/.server/use-cases/list-pool-keys.ts";
import { recoverImports } from "../../app/.server/use-cases/recover-imports.ts";
import { revealKey } from "../../app/.server/use-cases/reveal-key.ts";
import { voidBatch } from "../../app/.server/use-cases/void-batch.ts";
import { dialects } from "../support/dialects.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
async function* source(b: Uint8Array, size = 4096) {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
const actor = { type: "cli" as const };

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`importing keys on ${dialect}`, () => {
    let s: TestServices;
    let accountId: string;
    let poolId: string;
    const imp = (input: Partial<ImportKeysInput> & { text?: string; raw?: Uint8Array }) =>
      importKeys(s, { accountId, poolId, format: "csv", actor, source: source(input.raw ?? bytes(input.text ?? "")), ...input });

    beforeAll(async () => {
      s = await makeServices({ dialect, startWorkers: true });
      accountId = (await createAccount(s.db, { name: "Merchant", alertEmail: "alerts@example.com" })).id;
      poolId = (await createPool(s, accountId, { name: "Steam $20", lowStockThreshold: 3, defaultCost: "17.50", currency: "USD" }, actor)).id;
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    it("a dry run reports new, duplicate and invalid lines and writes nothing", async () => {
      const csv = "code,pin\nAAAA-0001,1111\nAAAA-0002,2222\nAAAA-0001,1111\n,9999\nAAAA-0003,3333\n";
      const r = await imp({ text: csv, dryRun: true });
      expect(r).toMatchObject({ dryRun: true, batchId: null, records: 5, added: 3, duplicates: { inFile: 1, inStock: 0, inFileLines: [4] }, invalid: { count: 1, lines: [{ line: 5, reason: "empty_code" }] } });
      expect(r.preview[0]).toEqual({ line: 2, code: "AA…01", fields: { pin: "••••" } });
      expect(await s.db.selectFrom("keys").select("id").execute()).toEqual([]);
    });

    it("imports all valid keys as one batch: encrypted, fingerprinted, available", async () => {
      const csv = "code,pin\nAAAA-0001,1111\nAAAA-0002,2222\nAAAA-0001,1111\n,9999\nAAAA-0003,3333\n";
      const r = await imp({ text: csv, sourceName: "supplier.csv", batch: { supplier: "Acme" } });
      expect(r).toMatchObject({ dryRun: false, added: 3, duplicates: { inFile: 1, inStock: 0 }, invalid: { count: 1 } });
      expect(r.batchId).toBeTruthy();
      const rows = await s.db.selectFrom("keys").selectAll().where("batch_id", "=", r.batchId!).execute();
      expect(rows.map((k) => k.state)).toEqual(["available", "available", "available"]);
      expect(rows.every((k) => k.cost_minor === 1750)).toBe(true);
      const batch = await s.db.selectFrom("key_batches").selectAll().where("id", "=", r.batchId!).executeTakeFirstOrThrow();
      expect(batch).toMatchObject({ status: "active", key_count: 3, supplier: "Acme", source_name: "supplier.csv" });
      const found = await findKeyByCode(s, accountId, "AAAA-0002");
      expect(found).toMatchObject({ poolId, state: "available" });
      expect(await revealKey(s, accountId, found!.keyId, actor)).toEqual({ code: "AAAA-0002", fields: { pin: "2222" } });
    });

    it("a second import of overlapping codes reports them as already stocked", async () => {
      const r = await imp({ format: "txt", text: "AAAA-0003\r\n\r\nAAAA-0004  \nAAAA-0004\n" });
      expect(r).toMatchObject({ added: 1, duplicates: { inFile: 1, inStock: 1, inStockLines: [1], inFileLines: [4] } });
    });

    it("writes chunks in file order, so the first copy of a code across chunks is the one kept", async () => {
      // Chunks are sealed in parallel; the short last chunk finishes sealing first.
      const lines = Array.from({ length: IMPORT_CHUNK + 100 }, (_, i) => `ORDER-${String(i).padStart(5, "0")}`);
      lines[IMPORT_CHUNK + 49] = lines[0];
      const r = await imp({ format: "txt", text: lines.join("\n") });
      expect(r).toMatchObject({ added: IMPORT_CHUNK + 99, duplicates: { inFile: 1, inStock: 0, inFileLines: [IMPORT_CHUNK + 50] } });
      const first = await findKeyByCode(s, accountId, "ORDER-00000");
      const later = await findKeyByCode(s, accountId, "ORDER-02099");
      expect(first!.keyId).toBeLessThan(later!.keyId);
    });

    it("decodes GB18030 files and keeps Chinese extra fields", async () => {
      const raw = iconv.encode("卡号,密码\nGB-卡密-0001,口令一\nGB-卡密-0002,口令二\n", "gb18030");
      const r = await imp({ raw: new Uint8Array(raw), map: { code: "卡号", pin: "密码" } });
      expect(r).toMatchObject({ encoding: "gb18030", added: 2 });
      const found = await findKeyByCode(s, accountId, "GB-卡密-0002");
      expect(await revealKey(s, accountId, found!.keyId, actor)).toEqual({ code: "GB-卡密-0002", fields: { pin: "口令二" } });
    });

    it("skips cells and lines that hold no code, in the preview and the import, CSV and TXT, in every encoding (issue 19)", async () => {
      const encoders = {
        "utf-8": (t: string) => bytes(t),
        "utf-16le": (t: string) => new Uint8Array(Buffer.from(`\uFEFF${t}`, "utf16le")),
        gb18030: (t: string) => new Uint8Array(iconv.encode(t, "gb18030")),
      } as const;
      const keysIn = async (batchId: string | null) => (batchId ? await s.db.selectFrom("keys").select("id").where("batch_id", "=", batchId).execute() : []);
      for (const [encoding, encode] of Object.entries(encoders)) {
        const p = `E19-${encoding}`;
        const txt = [
          `${p}-卡密-1`, // 1
          '""', // 2
          ' "" ', // 3
          '"   "', // 4
          " \t\u00A0\u3000", // 5 blank
          "\uFEFF", // 6 blank
          "\u200B\u200C\u200D\u2060", // 7 blank
          ",", // 8
          ";", // 9
          `\u200B${p}-卡密-1\uFEFF`, // 10: the same key as line 1, not an invisible twin
          `${p}-A\u200BB`, // 11
          "“”", // 12
          `${p}-卡密-2`, // 13
        ].join("\r\n");
        const csv = [
          "code,pin",
          ` "" ,1`, // 2
          '"",2', // 3
          `"   ",3`, // 4
          ",", // 5 blank
          "\u200B,\uFEFF", // 6 blank
          ";,4", // 7
          `\u2060${p}-卡密-3\u200B,5`, // 8
          `${p}-卡密-3,6`, // 9: a duplicate of line 8
          `${p}-C\u200BD,7`, // 10
          `${p}-卡密-4, "" `, // 11: the pin is absent, not '""'
        ].join("\r\n");
        const cases = [
          {
            format: "txt" as const,
            raw: encode(txt),
            report: {
              encoding,
              records: 10,
              added: 2,
              duplicates: { inFile: 1, inStock: 0, inFileLines: [10] },
              invalid: {
                count: 7,
                lines: [2, 3, 4, 8, 9, 11, 12].map((line) => ({ line, reason: line === 11 ? "invisible_character" : "empty_code" })),
              },
            },
            codes: [`${p}-卡密-1`, `${p}-卡密-2`],
          },
          {
            format: "csv" as const,
            raw: encode(csv),
            report: {
              encoding,
              records: 8,
              added: 2,
              duplicates: { inFile: 1, inStock: 0, inFileLines: [9] },
              invalid: {
                count: 5,
                lines: [2, 3, 4, 7, 10].map((line) => ({ line, reason: line === 10 ? "invisible_character" : "empty_code" })),
              },
            },
            codes: [`${p}-卡密-3`, `${p}-卡密-4`],
          },
        ];
        for (const { format, raw, report, codes } of cases) {
          const what = `${format} in ${encoding}`;
          const preview = await imp({ format, raw, dryRun: true });
          expect(preview, `preview of ${what}`).toMatchObject({ dryRun: true, batchId: null, ...report });
          expect(preview.preview.map((row) => row.line), what).toEqual(format === "txt" ? [1, 10, 13] : [8, 9, 11]);

          const done = await imp({ format, raw });
          expect(done, `import of ${what}`).toMatchObject({ dryRun: false, ...report });
          expect(await keysIn(done.batchId), what).toHaveLength(2);
          const revealed = [];
          for (const code of codes) {
            const found = await findKeyByCode(s, accountId, code);
            expect(found, `${code} in ${what}`).toMatchObject({ poolId });
            revealed.push(await revealKey(s, accountId, found!.keyId, actor));
          }
          if (format === "csv") expect(revealed).toEqual([{ code: codes[0], fields: { pin: "5" } }, { code: codes[1], fields: {} }]);
          else expect(revealed.map((k) => k.code)).toEqual(codes);
        }
      }
    });

    it("refuses bad files with a clear error and writes nothing", async () => {
      const before = (await s.db.selectFrom("keys").select("id").execute()).length;
      const cases: [Partial<ImportKeysInput> & { text?: string; raw?: Uint8Array }, string][] = [
        [{ text: "" }, "empty_file"],
        [{ text: "code\n" }, "empty_file"],
        [{ raw: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0, 1, 2]) }, "binary_file"],
        [{ text: "serial,pin\nX,1\n", map: { code: "code" } }, "csv_missing_column"],
        [{ text: "code\n" + "Z".repeat(2000) + "\n", maxBytes: 1000 }, "file_too_large"],
      ];
      for (const [input, code] of cases) {
        const err = await imp(input).catch((e) => e);
        expect(err, code).toBeInstanceOf(KeyrelayError);
        expect((err as KeyrelayError).code).toBe(code);
      }
      expect((await s.db.selectFrom("keys").select("id").execute()).length).toBe(before);
      expect(await s.db.selectFrom("key_batches").select("id").where("status", "in", ["importing", "committing"]).execute()).toEqual([]);
    });

    it("is all-or-nothing: a failure late in a large file removes every key it had written", async () => {
      const before = (await s.db.selectFrom("keys").select("id").execute()).length;
      // Several chunks of good lines, then an unclosed quote: csv-parse cannot go on, the whole file is refused.
      const lines = Array.from({ length: 3 * IMPORT_CHUNK + 10 }, (_, i) => `BIG-${i},${i}`).join("\n");
      const err = await imp({ text: `code,pin\n${lines}\n"never closed,1\n` }).catch((e) => e);
      expect((err as KeyrelayError).code).toBe("csv_unclosed_quote");
      expect((await s.db.selectFrom("keys").select("id").execute()).length).toBe(before);
      const batch = await s.db.selectFrom("key_batches").select("status").orderBy("created_at", "desc").executeTakeFirstOrThrow();
      expect(batch.status).toBe("aborted");
    });

    it("makes no key sellable before the whole batch commits", async () => {
      const available = async () => Number((await s.db.selectFrom("keys").select((eb) => eb.fn.countAll().as("n")).where("pool_id", "=", poolId).where("state", "=", "available").executeTakeFirstOrThrow()).n);
      const before = await available();
      const seen: Promise<number>[] = [];
      const total = 4 * IMPORT_CHUNK + 10;
      const text = Array.from({ length: total }, (_, i) => `LATE-${i}`).join("\n");
      // Progress is reported once earlier chunks have been written (and once more at the end):
      // until the end, none of them may be stock yet.
      const r = await imp({ format: "txt", text, onProgress: (p) => void (p.added > 0 && p.added < total && seen.push(available())) });
      expect(seen.length).toBeGreaterThan(0);
      expect(await Promise.all(seen)).toEqual(seen.map(() => before));
      expect(await available()).toBe(before + r.added);
    });

    it.skipIf(dialect !== "postgres")("a connection lost mid-import (a crash, as the database sees it) leaves no key behind", async () => {
      const keyCount = async () => (await s.db.selectFrom("keys").select("id").execute()).length;
      const before = await keyCount();
      let progress = 0;
      let killed: Promise<unknown> | undefined;
      const text = Array.from({ length: 5 * IMPORT_CHUNK }, (_, i) => `LOST-${i}`).join("\n");
      const err = await imp({
        format: "txt",
        text,
        onProgress: () => {
          // After a few chunks were written: end the import's own session (found by its advisory lock).
          if (++progress === 3)
            killed = sql`select pg_terminate_backend(l.pid) from pg_locks l, (select hashtextextended(${`keyrelay:import:${accountId}`}, 0) as k) h
                         where l.locktype = 'advisory' and l.granted and l.classid = ((h.k >> 32) & 4294967295)::oid and l.objid = (h.k & 4294967295)::oid`.execute(s.db);
        },
      }).catch((e: unknown) => e);
      expect(((await killed) as { rows: unknown[] }).rows).toHaveLength(1);
      expect(err).toBeInstanceOf(Error);
      expect(await keyCount()).toBe(before);
      const batch = await s.db.selectFrom("key_batches").select("status").orderBy("created_at", "desc").executeTakeFirstOrThrow();
      expect(batch.status).toBe("aborted");
    });

    it("recovers imports a crash interrupted: a quiet importing batch is removed, a committing one finished", async () => {
      const mk = async (status: "importing" | "committing") => {
        const r = await imp({ format: "txt", text: `CRASH-${status}-1\nCRASH-${status}-2\n` });
        // Rewind it to the state a crash would have left.
        await s.db.updateTable("keys").set({ state: "importing" }).where("batch_id", "=", r.batchId!).execute();
        await s.db.updateTable("key_batches").set({ status, progress_at: new Date(Date.now() - 3600_000).toISOString() }).where("id", "=", r.batchId!).execute();
        return r.batchId!;
      };
      const importing = await mk("importing");
      const committing = await mk("committing");
      expect(await recoverImports(s)).toEqual({ aborted: 1, committed: 1 });
      expect(await s.db.selectFrom("keys").select("id").where("batch_id", "=", importing).execute()).toEqual([]);
      const states = await s.db.selectFrom("keys").select("state").where("batch_id", "=", committing).execute();
      expect(states.map((k) => k.state)).toEqual(["available", "available"]);
      // A batch still making progress is left alone.
      expect(await recoverImports(s)).toEqual({ aborted: 0, committed: 0 });
    });

    it("pages keys masked without counting, exports CSV neutralised, voids a batch's unsold keys", async () => {
      const r = await imp({ text: "code,pin\n=HYPERLINK(1),+1\nPAGE-0002,2\nPAGE-0003,3\n" });
      const page1 = await listPoolKeys(s, accountId, poolId, { limit: 2, batchId: r.batchId! });
      expect(page1.keys.map((k) => k.masked)).toEqual(["PA…03", "PA…02"]);
      const page2 = await listPoolKeys(s, accountId, poolId, { limit: 2, batchId: r.batchId!, beforeId: page1.nextBeforeId! });
      expect(page2.keys.map((k) => k.masked)).toEqual(["=HYP…K(1)"]);
      expect(page2.nextBeforeId).toBeNull();

      let csv = "";
      for await (const chunk of exportKeys(s, accountId, { poolId, batchId: r.batchId!, plaintext: true }, actor)) csv += chunk;
      const lines = csv.trim().split("\n");
      expect(lines[0]).toBe("id,code,pin,state,batch,cost_minor,expires_at,created_at");
      expect(lines[1]).toContain(",'=HYPERLINK(1),'+1,available,");
      const audit = await s.db.selectFrom("audit_log").select("action").where("action", "=", "keys.exported_plaintext").execute();
      expect(audit).toHaveLength(1);

      expect(await voidBatch(s, accountId, r.batchId!, actor)).toEqual({ voided: 3 });
      const states = await s.db.selectFrom("keys").select("state").where("batch_id", "=", r.batchId!).execute();
      expect(new Set(states.map((k) => k.state))).toEqual(new Set(["void"]));
    });

    it("editing a pool changes only the fields given", async () => {
      const p = await createPool(s, accountId, { name: "Edit me", lowStockThreshold: 7, refundPolicy: "return_if_unseen", caseInsensitive: "on", currency: "EUR" }, actor);
      const renamed = await editPool(s, accountId, p.id, { name: "Edited" }, actor);
      expect(renamed).toMatchObject({ name: "Edited", low_stock_threshold: 7, refund_policy: "return_if_unseen", case_insensitive: 1, currency: "EUR" });
      expect((await editPool(s, accountId, p.id, { currency: "" }, actor)).currency).toBeNull();
      await expect(editPool(s, accountId, "00000000-0000-0000-0000-000000000000", { name: "x" }, actor)).rejects.toThrow(/no such pool/);
    });

    it("alerts once when stock falls below the threshold, and re-arms after a restock", async () => {
      const account = (await createAccount(s.db, { name: "Low", alertEmail: "low@example.com" })).id;
      const pool = (await createPool(s, account, { name: "Tiny", lowStockThreshold: 5 }, actor)).id;
      const r = await importKeys(s, { accountId: account, poolId: pool, format: "txt", actor, source: source(bytes("L1\nL2\n")) });
      expect(r.added).toBe(2);
      await waitFor(async () => (await s.db.selectFrom("jobs").select("status").where("queue", "=", "low-stock-alert").where("account_id", "=", account).executeTakeFirst())?.status === "done", 10_000, "alert sent");
      const outbox = fs.readdirSync(path.join(s.dataDir, "outbox"));
      expect(outbox).toHaveLength(1);
      expect(fs.readFileSync(path.join(s.dataDir, "outbox", outbox[0]), "utf8")).toContain("Low stock: Tiny has 2 keys left");
      expect((await getDashboard(s, account)).pools.lowStock).toBe(1);
      // Still low: no second alert.
      await importKeys(s, { accountId: account, poolId: pool, format: "txt", actor, source: source(bytes("L3\n")) });
      expect(await s.db.selectFrom("jobs").select("id").where("queue", "=", "low-stock-alert").where("account_id", "=", account).execute()).toHaveLength(1);
      // Restocked above the threshold: the flag clears, ready for the next dip.
      await importKeys(s, { accountId: account, poolId: pool, format: "txt", actor, source: source(bytes("L4\nL5\nL6\n")) });
      const p = await s.db.selectFrom("pools").select("low_stock_alerted_at").where("id", "=", pool).executeTakeFirstOrThrow();
      expect(p.low_stock_alerted_at).toBeNull();
      expect((await getDashboard(s, account)).pools.lowStock).toBe(0);
    });

    it("retires keys past their batch expiry: expired, never available again", async () => {
      const r = await imp({ format: "txt", text: "EXP-1\nEXP-2\n", batch: { expiresAt: "2026-01-31" } });
      const fresh = await imp({ format: "txt", text: "FRESH-1\n", batch: { expiresAt: "2099-01-01" } });
      const { expired } = await expireKeys(s, new Date("2026-02-01T00:00:00Z"));
      expect(expired).toBe(2);
      const states = await s.db.selectFrom("keys").select("state").where("batch_id", "=", r.batchId!).execute();
      expect(states.map((k) => k.state)).toEqual(["expired", "expired"]);
      const other = await s.db.selectFrom("keys").select("state").where("batch_id", "=", fresh.batchId!).execute();
      expect(other.map((k) => k.state)).toEqual(["available"]);
      expect((await expireKeys(s, new Date("2026-02-01T00:00:00Z"))).expired).toBe(0);
    });

    it("never writes a key's plaintext to the logs, the job rows or the database file", async () => {
      const secret = "SECRET-CODE-7f3a9c";
      await imp({ text: `code,pin\n${secret},PIN-55aa\n` });
      const found = await findKeyByCode(s, accountId, secret);
      await revealKey(s, accountId, found!.keyId, actor);
      for await (const _ of exportKeys(s, accountId, { poolId }, actor)) void _;
      expect(s.logLines.join("\n")).not.toContain(secret);
      const jobs = await s.db.selectFrom("jobs").select(["payload", "last_error"]).execute();
      expect(JSON.stringify(jobs)).not.toContain(secret);
      const events = await s.db.selectFrom("audit_log").select(["details"]).execute();
      expect(JSON.stringify(events)).not.toContain(secret);
      if (dialect === "sqlite") {
        const dbFiles = fs.readdirSync(s.dataDir).filter((f) => f.startsWith("keyrelay.sqlite"));
        for (const f of dbFiles) expect(fs.readFileSync(path.join(s.dataDir, f)).includes(Buffer.from(secret)), f).toBe(false);
      }
    });
  });
}
