import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { getBackupStatus } from "../../app/.server/use-cases/backup-status.ts";
import { checkReadiness } from "../../app/.server/use-cases/check-readiness.ts";
import { runScheduledBackup } from "../../app/.server/use-cases/scheduled-backup.ts";
import { dialects } from "../support/dialects.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";
import path from "node:path";

const H = 3_600_000;

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`scheduled backups on ${dialect}`, () => {
    let s: TestServices;
    // The test's clock ends its first case about now: readiness reads the real clock, so a fixed
    // start date made the last backup "overdue" once the real day moved on.
    let t = Date.now() - 13 * H - 60_000;
    const clock = () => new Date(t);

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { BACKUP_INTERVAL_HOURS: "6", BACKUP_KEEP: "2" } });
      await createAccount(s.db, { name: "Scheduled" });
    }, 60_000);
    afterAll(async () => {
      await s?.cleanup();
    });

    it("makes a backup when due, verifies it, records both, and keeps the newest BACKUP_KEEP", async () => {
      expect((await getBackupStatus(s, clock())).state).toBe("pending");
      const first = await runScheduledBackup(s, clock);
      expect(first).toMatchObject({ ran: true, ok: true, pruned: [] });
      // Not due again within the interval (a restart makes no extra backup).
      t += 1 * H;
      expect(await runScheduledBackup(s, clock)).toEqual({ ran: false });
      for (let i = 0; i < 2; i++) {
        t += 6 * H + 1;
        expect(await runScheduledBackup(s, clock)).toMatchObject({ ran: true, ok: true });
      }
      const files = fs.readdirSync(s.config.backup.dir).sort();
      expect(files.filter((f) => !f.endsWith(".manifest.json"))).toHaveLength(2);
      expect(files.filter((f) => f.endsWith(".manifest.json"))).toHaveLength(2);
      expect(files).not.toContain(path.basename(first.file!));
      const runs = await s.db.selectFrom("backup_runs").select(["kind", "trigger", "ok"]).orderBy("id").execute();
      expect(runs).toEqual(Array.from({ length: 3 }, () => [{ kind: "create", trigger: "schedule", ok: 1 }, { kind: "verify", trigger: "schedule", ok: 1 }]).flat());
      const audit = await s.db.selectFrom("audit_log").select(["action", "actor_type"]).where("action", "like", "backup.%").execute();
      expect(audit.filter((a) => a.action === "backup.created")).toHaveLength(3);
      expect(audit.every((a) => a.actor_type === "system")).toBe(true);
      const status = await getBackupStatus(s, clock());
      expect(status).toMatchObject({ state: "ok", intervalHours: 6 });
      const ready = await checkReadiness(s);
      expect(ready).toMatchObject({ ready: true, backup: { state: "ok" } });
      // Two intervals later with nothing new: overdue, and still ready.
      expect((await getBackupStatus(s, new Date(t + 13 * H))).state).toBe("overdue");
    }, 120_000);

    it("two workers due at the same moment make one backup", async () => {
      const second = await makeServices({ dialect, env: { ...s.env } });
      try {
        t += 7 * H;
        const before = (await s.db.selectFrom("backup_runs").select("id").where("kind", "=", "create").execute()).length;
        const [a, b] = await Promise.all([runScheduledBackup(s, clock), runScheduledBackup(second, clock)]);
        expect([a.ran, b.ran].filter(Boolean)).toHaveLength(1);
        expect((await s.db.selectFrom("backup_runs").select("id").where("kind", "=", "create").execute()).length).toBe(before + 1);
      } finally {
        await second.close();
      }
    }, 120_000);

    it("a backup this machine cannot decrypt is caught the day it is made: failed, naming the missing key", async () => {
      // This machine "loses" its key: a verify with another key than the one that sealed the rows.
      const other = { ...s.config, masterKey: Buffer.alloc(32, 7), previousMasterKeys: [] };
      t += 7 * H;
      const r = await runScheduledBackup({ ...s, config: other }, clock);
      expect(r).toMatchObject({ ran: true, ok: false });
      const status = await getBackupStatus(s, clock());
      expect(status).toMatchObject({ state: "failed", errorCode: "master_key_missing" });
      expect((await checkReadiness(s)).ready).toBe(true);
      const audit = await s.db.selectFrom("audit_log").select(["details"]).where("action", "=", "backup.verify_failed").execute();
      expect(audit.length).toBeGreaterThan(0);
      expect(JSON.parse(audit[0].details!)).toMatchObject({ problems: ["master_key_missing"] });
    }, 120_000);
  });
}
