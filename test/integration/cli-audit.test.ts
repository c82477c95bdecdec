import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../app/.server/db/database.ts";
import { sealAudit, SETTLE_MS } from "../../app/.server/use-cases/seal-audit.ts";
import { runCli } from "../support/run-cli.ts";

/** `audit list`: the rows the other commands wrote, filtered, as JSON, CSV (audited) and text; bad input named. */
describe("CLI: audit list", () => {
  let dir: string;
  let env: Record<string, string>;
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-audit-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8", APP_URL: "https://keys.example.com" };
    expect((await runCli(["admin", "create", "--email", "owner@example.com", "--password-stdin", "--json"], { env, stdin: "correct-horse-1\n" })).code).toBe(0);
    expect((await runCli(["pool", "create", "--name", "=Gift card", "--json"], { env })).code).toBe(0);
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lists newest first, filters by action and actor type, limits", async () => {
    const all = json(await runCli(["audit", "list", "--json"], { env }));
    const actions = all.rows.map((r: { action: string }) => r.action);
    expect(actions).toEqual(["pool.created", "admin.created"]);
    expect(all.rows[0].actorType).toBe("cli");
    const pools = json(await runCli(["audit", "list", "--action", "pool.created", "--json"], { env }));
    expect(pools.rows).toHaveLength(1);
    expect(json(await runCli(["audit", "list", "--actor-type", "system", "--json"], { env })).rows).toHaveLength(0);
    const one = json(await runCli(["audit", "list", "--limit", "1", "--json"], { env }));
    expect(one.rows).toHaveLength(1);
    expect(one.nextCursor).toBe(String(one.rows[0].id));
    const text = await runCli(["audit", "list"], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/pool\.created/);
  });

  it("exports CSV with a BOM and the export is audited; bad input names the field", async () => {
    const csv = await runCli(["audit", "list", "--csv", "--action", "pool.created"], { env });
    expect(csv.code).toBe(0);
    expect(csv.stdout.startsWith("\uFEFFid,time,time_zone,")).toBe(true);
    expect(csv.stdout.trim().split("\r\n")).toHaveLength(2);
    const after = json(await runCli(["audit", "list", "--json"], { env }));
    expect(after.rows[0].action).toBe("audit.exported");
    const bad = await runCli(["audit", "list", "--actor-type", "robot"], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/actor/i);
    const badDay = await runCli(["audit", "list", "--from", "2026-02-30"], { env });
    expect(badDay.code).not.toBe(0);
    expect(badDay.stderr).toMatch(/from/);
  });

  it("audit verify: unsealed rows are not tampering; after a seal an edited row fails with exit 1 and its id", async () => {
    const fresh = await runCli(["audit", "verify", "--json"], { env });
    expect(fresh.code).toBe(0);
    expect(json(fresh).accounts[0]).toMatchObject({ ok: true, sealedRows: 0 });
    expect(json(fresh).accounts[0].notYetSealed).toBeGreaterThan(0);
    const database = openDatabase({ dialect: "sqlite", file: path.join(dir, "data", "keyrelay.sqlite"), checkpointer: false });
    try {
      expect((await sealAudit(database, { now: new Date(Date.now() + SETTLE_MS + 1000) })).sealed).toBeGreaterThan(0);
      expect((await runCli(["audit", "verify"], { env })).code).toBe(0);
      const row = await database.db.selectFrom("audit_log").select("id").where("action", "=", "pool.created").executeTakeFirstOrThrow();
      await database.db.updateTable("audit_log").set({ ip: "203.0.113.9" }).where("id", "=", row.id).execute();
      const bad = await runCli(["audit", "verify"], { env });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain(`audit row ${row.id} was edited`);
    } finally {
      await database.close();
    }
  });
});
