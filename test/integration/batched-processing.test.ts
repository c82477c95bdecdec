import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { shopifyVerifiedEvent } from "../../connectors/shopify/webhook-identity.ts";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { InvalidInputError } from "../../app/.server/domain/errors.ts";
import { recordWebhookEvent } from "../../app/.server/use-cases/record-webhook-event.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, stockPool } from "../support/fulfilment-fixtures.ts";
import { makeServices, type TestDialect, type TestServices } from "../support/test-services.ts";

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

    it("claims and finishes a batch of any queue with one statement each, settling failures row by row", async () => {
      const { s } = await setUp(0);
      const ran: string[] = [];
      s.jobs.register("low-stock-alert", async (p) => {
        ran.push(p.poolId);
        if (p.poolId === "bad") throw new Error("host said no");
      });
      const ids: number[] = [];
      for (const poolId of ["a", "b", "bad", "c"]) ids.push((await s.jobs.stage(s.db, "low-stock-alert", { accountId: "x", poolId })).id);
      const statements: string[] = [];
      const claimLike = /update "jobs" set "status" = \$?\??\d*/;
      const exec = s.db.getExecutor();
      const original = exec.executeQuery.bind(exec);
      exec.executeQuery = ((q: { sql: string }, id: unknown) => {
        if (claimLike.test(q.sql)) statements.push(q.sql);
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
  });
}
