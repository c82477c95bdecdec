import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { shopifyVerifiedEvent } from "../../connectors/shopify/webhook-identity.ts";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { InvalidInputError } from "../../app/.server/domain/errors.ts";
import { recordWebhookEvent } from "../../app/.server/use-cases/record-webhook-event.ts";
import { dialects } from "../support/dialects.ts";
import { redisAvailable } from "../support/services-available.ts";
import { makeShop, stockPool } from "../support/fulfilment-fixtures.ts";
import { makeServices, waitFor, type TestDialect, type TestServices } from "../support/test-services.ts";

/** A Shopify orders/paid delivery for product 777 (what the shop maps), `id` its order id. */
function paidDelivery(shop: string, id: number, eventId = `evt-${id}`, payloadOver: Record<string, unknown> = {}) {
  const payload = {
    id,
    name: `#${id}`,
    email: `buyer-${id}@example.com`,
    currency: "USD",
    total_price: "10.00",
    financial_status: "paid",
    created_at: "2026-11-30T10:00:00Z",
    updated_at: "2026-11-30T10:00:00Z",
    line_items: [{ id: id * 10, product_id: 777, variant_id: null, title: "Game card", quantity: 1, price: "10.00" }],
    ...payloadOver,
  };
  const rawBody = Buffer.from(JSON.stringify(payload));
  return shopifyVerifiedEvent({ shop, topic: "orders/paid", headers: new Headers({ "x-shopify-topic": "orders/paid", "x-shopify-event-id": eventId }), rawBody, payload });
}

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`webhooks and paid orders in groups on ${dialect}`, () => {
    const opened: TestServices[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.cleanup();
    });

    async function setUp(keys: number) {
      const s = await makeServices({ dialect: dialect as TestDialect });
      opened.push(s);
      const shop = await makeShop(s);
      await upsertMapping(s.db, { accountId: shop.accountId, storeId: shop.store.id, poolId: shop.poolId, productId: "777", variantId: null, title: "Game card", unitsPerItem: 1, syncStock: false });
      if (keys > 0) await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: keys }, (_, i) => `CODE-${i}`));
      return { s, shop };
    }

    it("records deliveries that arrive together in one transaction, each with its own answer", async () => {
      const { s, shop } = await setUp(0);
      let transactions = 0;
      const begin = s.db.transaction.bind(s.db);
      s.db.transaction = () => {
        transactions++;
        return begin();
      };
      const deliveries = [
        ...Array.from({ length: 20 }, (_, i) => paidDelivery(shop.store.domain, 5000 + i)),
        paidDelivery(shop.store.domain, 5000), // the same event again: a redelivery
        paidDelivery(shop.store.domain, 6000, "evt-broken", { line_items: "nope" }),
      ];
      const answers = await Promise.allSettled(deliveries.map((d) => recordWebhookEvent(s, d)));
      expect(transactions).toBe(1);
      expect(answers.slice(0, 20).every((a) => a.status === "fulfilled" && a.value.status === "recorded")).toBe(true);
      expect(answers[20]).toEqual({ status: "fulfilled", value: { status: "duplicate" } });
      expect(answers[21].status).toBe("rejected");
      expect((answers[21] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidInputError);
      const events = await s.db.selectFrom("webhook_events").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      const jobs = await s.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("queue", "=", "process-event").executeTakeFirstOrThrow();
      expect(Number(events.n)).toBe(20);
      expect(Number(jobs.n)).toBe(20);
    });

    it("a delivery the database refuses fails alone; when the database itself fails, the group is answered at once", async () => {
      const { s, shop } = await setUp(0);
      const refuse = async (condition: string) => {
        if (dialect === "sqlite") {
          await sql.raw(`create trigger refuse_event before insert on webhook_events when ${condition} begin select raise(abort, 'refused for the test'); end`).execute(s.db);
        } else {
          await sql.raw(`create or replace function refuse_event() returns trigger language plpgsql as $$ begin if ${condition.replaceAll("new.", "NEW.")} then raise exception 'refused for the test'; end if; return new; end $$`).execute(s.db);
          await sql.raw("create trigger refuse_event before insert on webhook_events for each row execute function refuse_event()").execute(s.db);
        }
      };
      const drop = () => sql.raw(`drop trigger refuse_event${dialect === "postgres" ? " on webhook_events" : ""}`).execute(s.db);
      let transactions = 0;
      const begin = s.db.transaction.bind(s.db);
      s.db.transaction = () => {
        transactions++;
        return begin();
      };

      await refuse("new.dedupe_key like '%evt-9003'");
      const one = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => recordWebhookEvent(s, paidDelivery(shop.store.domain, 9000 + i))));
      expect(one.map((a) => a.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
      expect(transactions).toBe(11); // the group, then each on its own
      await drop();

      await refuse("1 = 1");
      transactions = 0;
      const all = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => recordWebhookEvent(s, paidDelivery(shop.store.domain, 9100 + i))));
      expect(all.every((a) => a.status === "rejected")).toBe(true);
      expect(transactions).toBe(3); // the group and two alone: then the rest are answered with the error
      await drop();
    });

    it("applies waiting paid orders together; one order that fails rolls back alone and is retried", async () => {
      const { s, shop } = await setUp(10);
      // A database that refuses one order (as a constraint or a full disk would, for that order only).
      if (dialect === "sqlite") {
        await sql`create trigger refuse_boom before insert on orders when new.external_id = '7003' begin select raise(abort, 'refused for the test'); end`.execute(s.db);
      } else {
        await sql`create function refuse_boom() returns trigger language plpgsql as $$ begin if new.external_id = '7003' then raise exception 'refused for the test'; end if; return new; end $$`.execute(s.db);
        await sql`create trigger refuse_boom before insert on orders for each row execute function refuse_boom()`.execute(s.db);
      }
      for (let i = 0; i < 6; i++) await recordWebhookEvent(s, paidDelivery(shop.store.domain, 7000 + i));
      const rows = await s.db.selectFrom("jobs").select(["id"]).where("queue", "=", "process-event").orderBy("id").execute();
      await s.jobs.runJobs("process-event", rows.map((r) => Number(r.id)));

      const allocated = await s.db
        .selectFrom("allocations as a")
        .innerJoin("order_lines as l", "l.id", "a.order_line_id")
        .innerJoin("orders as o", "o.id", "l.order_id")
        .select(["o.external_id", "a.key_id"])
        .where("a.status", "=", "allocated")
        .orderBy("o.external_id")
        .execute();
      expect(allocated.map((a) => a.external_id)).toEqual(["7000", "7001", "7002", "7004", "7005"]);
      expect(new Set(allocated.map((a) => a.key_id)).size).toBe(5);
      const jobs = await s.db.selectFrom("jobs").select(["id", "status", "attempts", "last_error"]).where("queue", "=", "process-event").orderBy("id").execute();
      expect(jobs.map((j) => j.status)).toEqual(["done", "done", "done", "pending", "done", "done"]);
      expect(jobs[3].last_error).toContain("refused for the test");
      const events = await s.db.selectFrom("webhook_events").select(["status"]).orderBy("id").execute();
      expect(events.map((e) => e.status)).toEqual(["processed", "processed", "processed", "received", "processed", "processed"]);
      // Each applied order staged its own write-back; the refused one staged nothing.
      const deliver = await s.db.selectFrom("jobs").select("payload").where("queue", "=", "deliver-order").execute();
      expect(deliver).toHaveLength(5);

      // The cause goes away; the retry (one row, on its own) allocates the sixth key.
      await sql`drop trigger refuse_boom${sql.raw(dialect === "postgres" ? " on orders" : "")}`.execute(s.db);
      await s.db.updateTable("jobs").set({ run_at: new Date(0).toISOString() }).where("id", "=", jobs[3].id).execute();
      await s.jobs.runJobs("process-event", [Number(jobs[3].id)]);
      expect((await s.db.selectFrom("jobs").select("status").where("id", "=", jobs[3].id).executeTakeFirstOrThrow()).status).toBe("done");
      const count = await s.db.selectFrom("allocations").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", "allocated").executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(6);
    });

    it("when a later transaction of a batch cannot even begin, the orders already committed still get their follow-ups", async () => {
      const { s, shop } = await setUp(20);
      for (let i = 0; i < 12; i++) await recordWebhookEvent(s, paidDelivery(shop.store.domain, 8000 + i));
      const rows = await s.db.selectFrom("jobs").select(["id"]).where("queue", "=", "process-event").orderBy("id").execute();
      // The second transaction of the batch (orders 9–12) fails at BEGIN, as a busy database would.
      let begun = 0;
      const start = s.db.startTransaction.bind(s.db);
      s.db.startTransaction = () => {
        if (++begun === 2) return { execute: () => Promise.reject(new Error("database is locked")) } as never;
        return start();
      };
      const triggered: string[] = [];
      const trigger = s.jobs.trigger.bind(s.jobs);
      s.jobs.trigger = async (jobs) => {
        triggered.push(...jobs.map((j) => j.queue));
        return trigger(jobs);
      };
      await s.jobs.runJobs("process-event", rows.map((r) => Number(r.id)));
      expect(triggered.filter((q) => q === "deliver-order")).toHaveLength(8);
      const jobs = await s.db.selectFrom("jobs").select(["status", "last_error"]).where("queue", "=", "process-event").orderBy("id").execute();
      expect(jobs.slice(0, 8).every((j) => j.status === "done")).toBe(true);
      expect(jobs.slice(8).every((j) => j.status === "pending" && j.last_error === "database is locked")).toBe(true);
    });

    it("claims and finishes a batch with one statement each, settling failures row by row", async () => {
      const { s } = await setUp(0);
      const ran: string[] = [];
      s.jobs.registerBatch("low-stock-alert", async (items) => {
        const failures = new Map<number, unknown>();
        for (const item of items) {
          ran.push(item.payload.poolId);
          if (item.payload.poolId === "bad") failures.set(item.jobId, new Error("host said no"));
        }
        return failures;
      });
      const ids: number[] = [];
      for (const poolId of ["a", "b", "bad", "c"]) ids.push((await s.jobs.stage(s.db, "low-stock-alert", { accountId: "x", poolId })).id);
      const statements: string[] = [];
      const exec = s.db.getExecutor();
      const original = exec.executeQuery.bind(exec);
      exec.executeQuery = ((q: { sql: string }, id: unknown) => {
        if (/^update "jobs" set "status"/.test(q.sql)) statements.push(q.sql);
        return original(q as never, id as never);
      }) as typeof exec.executeQuery;
      await s.jobs.runJobs("low-stock-alert", ids);
      expect(ran.sort()).toEqual(["a", "b", "bad", "c"]);
      // One claim for the batch, one finish for the three that succeeded, one settle for the failure.
      expect(statements).toHaveLength(3);
      const rows = await s.db.selectFrom("jobs").select(["status", "attempts", "last_error"]).where("id", "in", ids).orderBy("id").execute();
      expect(rows.map((r) => r.status)).toEqual(["done", "done", "pending", "done"]);
      expect(rows.every((r) => r.attempts === 1)).toBe(true);
      expect(rows[2].last_error).toBe("host said no");
    });

    it.skipIf(!redisAvailable)("with BullMQ, paid orders that arrive together are applied once each", async () => {
      const s = await makeServices({ dialect: dialect as TestDialect, redis: true });
      opened.push(s);
      const shop = await makeShop(s);
      await upsertMapping(s.db, { accountId: shop.accountId, storeId: shop.store.id, poolId: shop.poolId, productId: "777", variantId: null, title: "Game card", unitsPerItem: 1, syncStock: false });
      await stockPool(s, shop.accountId, shop.poolId, Array.from({ length: 30 }, (_, i) => `BQ-${i}`));
      await s.jobs.startWorkers();
      // 30 deliveries at once, a third of them twice (redeliveries).
      await Promise.all(Array.from({ length: 40 }, (_, i) => recordWebhookEvent(s, paidDelivery(shop.store.domain, 9500 + (i % 30)))));
      await waitFor(async () => {
        const r = await s.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("queue", "=", "process-event").where("status", "=", "done").executeTakeFirstOrThrow();
        return Number(r.n) === 30;
      }, 20_000, "30 events processed");
      const allocated = await s.db.selectFrom("allocations").select(["key_id", "order_line_id"]).where("status", "=", "allocated").execute();
      expect(allocated).toHaveLength(30);
      expect(new Set(allocated.map((a) => a.key_id)).size).toBe(30);
      expect(new Set(allocated.map((a) => a.order_line_id)).size).toBe(30);
    });

    it("a stopping worker starts no more rows of a batch: the rest go back to pending, their attempt not spent", async () => {
      const s = await makeServices({ dialect: dialect as TestDialect, env: { JOBS_CONCURRENCY: "2" } });
      opened.push(s);
      const started: string[] = [];
      s.jobs.register("low-stock-alert", async (p) => {
        started.push(p.poolId);
        await new Promise((r) => setTimeout(r, 50));
      });
      const ids: number[] = [];
      for (let i = 0; i < 10; i++) ids.push((await s.jobs.stage(s.db, "low-stock-alert", { accountId: "x", poolId: `p${i}` })).id);
      const batch = s.jobs.runJobs("low-stock-alert", ids, 2);
      await new Promise((r) => setTimeout(r, 20));
      await s.jobs.stop();
      await batch;
      expect(started).toEqual(["p0", "p1"]);
      const rows = await s.db.selectFrom("jobs").select(["status", "attempts", "locked_by"]).where("id", "in", ids).orderBy("id").execute();
      expect(rows.slice(0, 2).map((r) => r.status)).toEqual(["done", "done"]);
      expect(rows.slice(2).every((r) => r.status === "pending" && r.attempts === 0 && r.locked_by === null)).toBe(true);
    });

    it("runs a queue without a batch handler row by row, never more than JOBS_CONCURRENCY at once", async () => {
      const s = await makeServices({ dialect: dialect as TestDialect, env: { JOBS_CONCURRENCY: "2" } });
      opened.push(s);
      let running = 0;
      let most = 0;
      s.jobs.register("low-stock-alert", async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 30));
        running--;
      });
      await s.jobs.startWorkers(["low-stock-alert"]);
      // Ten rows triggered in one turn: the engine must not hand them over as one batch.
      const staged = [];
      for (let i = 0; i < 10; i++) staged.push(await s.jobs.stage(s.db, "low-stock-alert", { accountId: "x", poolId: `p${i}` }));
      await s.jobs.trigger(staged);
      await waitFor(async () => {
        const r = await s.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", "done").executeTakeFirstOrThrow();
        return Number(r.n) === 10;
      }, 10_000, "all ten done");
      expect(most).toBe(2);
    });
  });
}
