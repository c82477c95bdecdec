import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { withStatementCache } from "./statement-cache.ts";

describe("withStatementCache", () => {
  let raw: SQLite.Database;
  afterEach(() => raw?.open && raw.close());

  const counters = { roundTrips: 0 };
  function open(max?: number) {
    counters.roundTrips = 0;
    raw = new SQLite(":memory:");
    raw.exec("create table t (id integer primary key, v text)");
    let prepared = 0;
    const original = raw.prepare.bind(raw);
    raw.prepare = ((text: string) => {
      prepared++;
      return original(text);
    }) as typeof raw.prepare;
    const db = new Kysely<{ t: { id: number; v: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(raw, counters, max) }) });
    return { db, prepared: () => prepared };
  }

  it("prepares a query text once and reuses it with new parameters", async () => {
    const { db, prepared } = open();
    for (let i = 1; i <= 5; i++) await db.insertInto("t").values({ id: i, v: `v${i}` }).execute();
    const rows = await db.selectFrom("t").select("v").where("id", "=", 3).execute();
    const again = await db.selectFrom("t").select("v").where("id", "=", 4).execute();
    expect(rows).toEqual([{ v: "v3" }]);
    expect(again).toEqual([{ v: "v4" }]);
    expect(prepared()).toBe(2);
  });

  it("reports changes and insert ids like the uncached driver", async () => {
    const { db } = open();
    const r = await db.insertInto("t").values({ id: 7, v: "x" }).executeTakeFirst();
    expect(r.insertId).toBe(7n);
    const u = await db.updateTable("t").set({ v: "y" }).where("id", ">", 0).executeTakeFirst();
    expect(u.numUpdatedRows).toBe(1n);
  });

  it("keeps at most `max` statements, dropping the least recently used", async () => {
    const { db, prepared } = open(2);
    const q = (n: number) => sql`select ${sql.lit(n)} as n`.execute(db);
    await q(1);
    await q(2);
    await q(1); // 1 is now the most recent
    await q(3); // evicts 2
    await q(1);
    expect(prepared()).toBe(3);
    await q(2);
    expect(prepared()).toBe(4);
  });

  it("counts every call into the library, cached or not (the round trips of bench/allocate's cost per order)", async () => {
    const { db } = open();
    await db.insertInto("t").values({ id: 1, v: "a" }).execute();
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom("t").selectAll().execute();
      await trx.updateTable("t").set({ v: "b" }).execute();
    });
    for await (const _ of db.selectFrom("t").selectAll().stream()) void _;
    // insert; begin, select, update, commit; the stream's iterate.
    expect(counters.roundTrips).toBe(6);
  });

  it("lets the same text run while it is being streamed", () => {
    raw = new SQLite(":memory:");
    raw.exec("create table t (id integer primary key, v text); insert into t values (1, 'a'), (2, 'b')");
    const cached = withStatementCache(raw);
    const text = "select v from t order by id";
    const iter = cached.prepare(text).iterate([]);
    expect(iter.next().value).toEqual({ v: "a" });
    // better-sqlite3 refuses a statement that is mid-iteration: the stream must have its own.
    expect(cached.prepare(text).all([])).toEqual([{ v: "a" }, { v: "b" }]);
    expect(iter.next().value).toEqual({ v: "b" });
    iter.return?.();
  });
});
