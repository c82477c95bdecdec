import { describe, expect, it } from "vitest";
import { backupHealth } from "./backup-health.ts";

const H = 3_600_000;
const now = new Date("2026-12-07T12:00:00Z");
const run = (at: string, ok = true, file = "a.sqlite", errorCode: string | null = null) => ({ ok, file, finishedAt: at, errorCode });

describe("backup health", () => {
  it("off without a schedule or any backup; pending with a schedule and none yet", () => {
    expect(backupHealth({ intervalMs: 0, now })).toEqual({ state: "off" });
    expect(backupHealth({ intervalMs: 24 * H, now })).toEqual({ state: "pending" });
  });

  it("ok when the last backup worked and is recent", () => {
    const c = run("2026-12-07T02:00:00Z");
    expect(backupHealth({ intervalMs: 24 * H, now, lastCreate: { ...c, keys: 5 }, lastOkCreate: c, lastVerify: run("2026-12-07T02:00:05Z") })).toEqual({
      state: "ok",
      lastAt: c.finishedAt,
      lastFile: "a.sqlite",
      lastOkAt: c.finishedAt,
      keys: 5,
    });
  });

  it("failed when the last backup failed, or its verify did; the older good one is still named", () => {
    const good = run("2026-12-06T02:00:00Z", true, "old.sqlite");
    const bad = run("2026-12-07T02:00:00Z", false, "b.sqlite", "backup_pg_tool_missing");
    expect(backupHealth({ intervalMs: 24 * H, now, lastCreate: bad, lastOkCreate: good })).toMatchObject({ state: "failed", errorCode: "backup_pg_tool_missing", lastOkAt: good.finishedAt });
    const c = run("2026-12-07T02:00:00Z");
    expect(backupHealth({ intervalMs: 24 * H, now, lastCreate: c, lastOkCreate: c, lastVerify: run("2026-12-07T02:00:05Z", false, "a.sqlite", "master_key_missing") })).toMatchObject({ state: "failed", errorCode: "master_key_missing" });
    // A failed verify of another (older) file does not speak for this one.
    expect(backupHealth({ intervalMs: 24 * H, now, lastCreate: c, lastOkCreate: c, lastVerify: run("2026-12-06T02:00:05Z", false, "old.sqlite", "x") }).state).toBe("ok");
  });

  it("overdue after two intervals without a backup", () => {
    const c = run("2026-12-05T02:00:00Z");
    expect(backupHealth({ intervalMs: 24 * H, now, lastCreate: c, lastOkCreate: c }).state).toBe("overdue");
    expect(backupHealth({ intervalMs: 0, now, lastCreate: c, lastOkCreate: c }).state).toBe("ok");
  });
});
