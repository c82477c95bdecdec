import { describe, expect, it } from "vitest";
import { backupFileName, backupsToPrune, compareCounts, manifestNameFor, missingMasterKeys, newerMigrations, parseManifest, MANIFEST_FORMAT } from "./backup-manifest.ts";

describe("backup manifest", () => {
  it("names sort by time and carry the dialect", () => {
    const a = backupFileName(new Date("2026-12-07T09:30:15.123Z"), "sqlite");
    expect(a).toBe("keyrelay-20261207T093015123Z.sqlite");
    expect(backupFileName(new Date("2026-12-07T09:30:15.124Z"), "postgres")).toBe("keyrelay-20261207T093015124Z.pgdump");
    expect(manifestNameFor(a)).toBe("keyrelay-20261207T093015123Z.sqlite.manifest.json");
  });

  it("retention keeps the newest N of our own files and ignores everything else", () => {
    const names = ["keyrelay-20261207T010000000Z.sqlite", "notes.txt", "keyrelay-20261205T010000000Z.sqlite", "keyrelay-20261206T010000000Z.pgdump", "keyrelay-20261206T010000000Z.pgdump.manifest.json"];
    expect(backupsToPrune(names, 2)).toEqual(["keyrelay-20261205T010000000Z.sqlite"]);
    expect(backupsToPrune(names, 1)).toEqual(["keyrelay-20261205T010000000Z.sqlite", "keyrelay-20261206T010000000Z.pgdump"]);
    expect(backupsToPrune(names, 5)).toEqual([]);
  });

  it("counts are compared both ways", () => {
    expect(compareCounts({ keys: 3, orders: 1 }, { keys: 3, orders: 1 })).toEqual([]);
    expect(compareCounts({ keys: 3, orders: 1 }, { keys: 2, extra: 4 })).toEqual([
      { code: "count_mismatch", params: { table: "keys", expected: 3, actual: 2 } },
      { code: "table_missing", params: { table: "orders" } },
      { code: "count_mismatch", params: { table: "extra", expected: 0, actual: 4 } },
    ]);
  });

  it("finds migrations from a newer build and master keys that are not loaded", () => {
    expect(newerMigrations({ migrations: ["0001-a", "0099-future"] }, ["0001-a", "0002-b"])).toEqual(["0099-future"]);
    expect(missingMasterKeys({ masterKeyIds: { b: 1, a: 2, c: 3 } }, ["b"])).toEqual(["a", "c"]);
  });

  it("rejects what is not a manifest", () => {
    expect(parseManifest("not json")).toBeUndefined();
    expect(parseManifest(JSON.stringify({ format: "other" }))).toBeUndefined();
    const ok = { format: MANIFEST_FORMAT, createdAt: "x", dialect: "sqlite", schemaVersion: "0001", migrations: [], tables: {}, masterKeyIds: {}, files: [] };
    expect(parseManifest(JSON.stringify(ok))).toEqual(ok);
  });
});
