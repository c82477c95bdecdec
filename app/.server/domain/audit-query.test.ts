import { describe, expect, it } from "vitest";
import { dayStartInstant, parseAuditFilter } from "./audit-query.ts";
import { GENESIS, rowHash } from "../crypto/audit-chain.ts";

describe("audit filters", () => {
  it("turns local days into UTC bounds in the account's time zone, including across DST", () => {
    expect(dayStartInstant("2026-12-07", "Asia/Shanghai")).toBe("2026-12-06T16:00:00.000Z");
    expect(dayStartInstant("2026-03-08", "America/New_York")).toBe("2026-03-08T05:00:00.000Z");
    expect(dayStartInstant("2026-03-09", "America/New_York")).toBe("2026-03-09T04:00:00.000Z");
    const f = parseAuditFilter({ from: "2026-12-01", to: "2026-12-07" }, "Asia/Shanghai");
    expect([f.fromInstant, f.toInstant]).toEqual(["2026-11-30T16:00:00.000Z", "2026-12-07T16:00:00.000Z"]);
  });
  it("names the field of a bad value", () => {
    expect(() => parseAuditFilter({ actorType: "robot" }, "UTC")).toThrow(expect.objectContaining({ field: "actorType" }));
    expect(() => parseAuditFilter({ from: "2026-02-30" }, "UTC")).toThrow(expect.objectContaining({ field: "from" }));
    expect(() => parseAuditFilter({ from: "2026-12-08", to: "2026-12-01" }, "UTC")).toThrow(expect.objectContaining({ field: "from" }));
    expect(() => parseAuditFilter({ limit: "0" }, "UTC")).toThrow(expect.objectContaining({ field: "limit" }));
    expect(() => parseAuditFilter({ cursor: "abc" }, "UTC")).toThrow(expect.objectContaining({ field: "cursor" }));
  });
});

describe("audit chain hash", () => {
  const row = { id: 1, account_id: "a", actor_type: "cli", actor_id: null, action: "pool.created", subject_type: "pool", subject_id: "p", details: null, ip: null, created_at: "2026-12-07T10:00:00.000Z" };
  it("depends on every field and on the previous hash; SQLite text and a Date hash alike", () => {
    const h = rowHash(GENESIS, row);
    expect(rowHash(GENESIS, { ...row, created_at: new Date(row.created_at) })).toBe(h);
    expect(rowHash(GENESIS, { ...row, ip: "1.2.3.4" })).not.toBe(h);
    expect(rowHash(h, row)).not.toBe(h);
  });
});
