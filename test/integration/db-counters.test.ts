import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/dialects.ts";
import { parsePrometheusText } from "../support/prometheus-text.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The database and job-row counters behind bench/allocate's "cost per order": exact counts of a
 * known piece of work, as the handle holds them and as /metrics shows them.
 */
for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`database cost counters on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      s = await makeServices({ dialect, env: { METRICS_TOKEN: "counters-token-0123456789abcdef" } });
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    const snapshot = () => ({ ...s.database.counters });

    it("counts each statement, each commit and each round trip", async () => {
      const before = snapshot();
      await sql`select 1 as one`.execute(s.db);
      await s.db.transaction().execute(async (trx) => {
        await sql`select 2 as two`.execute(trx);
        await sql`select 3 as three`.execute(trx);
      });
      await s.db
        .transaction()
        .execute(async (trx) => {
          await sql`select 4 as four`.execute(trx);
          throw new Error("rolled back");
        })
        .catch(() => {});
      const after = snapshot();
      // select; begin, select, select, commit; begin, select, rollback.
      expect(after.statements - before.statements).toBe(8);
      expect(after.transactions - before.transactions).toBe(1);
      expect(after.roundTrips - before.roundTrips).toBe(8);
    });

    it("counts a write outside a transaction as a commit of its own, a read as none", async () => {
      const before = snapshot();
      await s.db.updateTable("jobs").set({ attempts: 0 }).where("id", "=", -1).execute();
      await sql`update jobs set attempts = 0 where id = -1`.execute(s.db);
      await s.db.selectFrom("jobs").select("id").where("id", "=", -1).execute();
      await s.db.transaction().execute(async (trx) => void (await trx.updateTable("jobs").set({ attempts: 0 }).where("id", "=", -1).execute()));
      const after = snapshot();
      // Two autocommitted writes, one transaction; the read and the transaction's own write add none.
      expect(after.transactions - before.transactions).toBe(3);
      expect(after.statements - before.statements).toBe(6);
    });

    it("shows them and the job rows written per queue on /metrics", async () => {
      const e0 = parsePrometheusText((await s.metrics.render()).body);
      const rows0 = e0.value("keyrelay_job_rows_written_total", { queue: "low-stock-alert" }) ?? 0;
      await s.jobs.enqueue("low-stock-alert", { accountId: "a", poolId: "p" }, { dedupeKey: "counters-test" });
      // Merged into the waiting row: no row written.
      await s.jobs.enqueue("low-stock-alert", { accountId: "a", poolId: "p" }, { dedupeKey: "counters-test" });
      await s.db.transaction().execute(async (trx) => void (await sql`select 1`.execute(trx)));
      const e1 = parsePrometheusText((await s.metrics.render()).body);
      expect(e1.value("keyrelay_job_rows_written_total", { queue: "low-stock-alert" })).toBe(rows0 + 1);
      expect(e1.value("keyrelay_db_statements_total", { thread: "main" })).toBe(s.database.counters.statements);
      expect(e1.value("keyrelay_db_transactions_total", { thread: "main" })).toBe(s.database.counters.transactions);
      expect(e1.value("keyrelay_db_round_trips_total", { thread: "main" })).toBe(s.database.counters.roundTrips);
      expect(e1.value("keyrelay_db_transactions_total", { thread: "main" })).toBeGreaterThan(e0.value("keyrelay_db_transactions_total", { thread: "main" })!);
    });
  });
}
