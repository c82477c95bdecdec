import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { WalCheckpointer } from "./wal-checkpointer.ts";

describe("WalCheckpointer", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  function open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-wal-"));
    dirs.push(dir);
    const file = path.join(dir, "db.sqlite");
    const sqlite = new SQLite(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.exec("create table t (id integer primary key, v blob)");
    return { sqlite, file };
  }

  async function until(check: () => boolean, ms = 5_000) {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ~2,500 pages: past SQLite's own 1,000-page checkpoint threshold.
  const write = (sqlite: SQLite.Database) => {
    const ins = sqlite.prepare("insert into t (v) values (?)");
    sqlite.transaction(() => {
      for (let i = 0; i < 2_500; i++) ins.run(Buffer.alloc(3_000, i % 251));
    })();
  };

  it("takes checkpointing off the app's connection and copies the log into the database file", async () => {
    const { sqlite, file } = open();
    const cp = WalCheckpointer.start(sqlite, file, 50);
    await until(() => sqlite.pragma("wal_autocheckpoint", { simple: true }) === 0);
    write(sqlite);
    // The app's connection no longer checkpoints (autocheckpoint 0): the worker copies the log.
    await until(() => fs.statSync(file).size > 7_000_000);
    expect(sqlite.prepare("select count(*) as n from t").get()).toEqual({ n: 2_500 });
    await cp.stop();
    sqlite.close();
  });

  it("gives checkpointing back to the app's connection when the worker stops", async () => {
    const { sqlite, file } = open();
    const cp = WalCheckpointer.start(sqlite, file, 50);
    await until(() => sqlite.pragma("wal_autocheckpoint", { simple: true }) === 0);
    await cp.stop();
    await until(() => sqlite.pragma("wal_autocheckpoint", { simple: true }) === 1000);
    write(sqlite);
    expect(fs.statSync(file).size).toBeGreaterThan(7_000_000);
    sqlite.close();
  });
});
