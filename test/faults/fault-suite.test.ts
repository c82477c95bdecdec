import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAll, startPrivateCluster, type PrivateCluster } from "./processes.ts";
import { waitFor } from "../support/test-services.ts";
import { burst, Deployment, quiesce, readInvariants } from "./scenario.ts";

/**
 * The fault suite (docs/fault-suite.md). Each scenario deploys keyrelay as it runs in production —
 * `npm start` on SQLite, or `start:web` + `start:worker` on Postgres + Redis — sends a burst of
 * paid orders for fewer keys than orders, injects one fault mid-burst, recovers, waits until the
 * work is done and then checks that:
 *   - every acknowledged webhook's order is delivered or backordered (one live allocation per unit),
 *   - no key is in two live allocations (and no code appears in two orders' notes),
 *   - each order has exactly one note on the host and one email,
 *   - the host's stock equals the pool's available keys.
 */

const ORDERS = 60;
const KEYS = 40;

interface Row {
  scenario: string;
  deployment: string;
  orders: number;
  keys: number;
  fault: string;
  acknowledgedInBurst: number;
  redelivered: number;
  repeatedSends: number;
  durationMs: number;
  result: string;
}
const rows: Row[] = [];

let cluster: PrivateCluster | undefined;
const pgCluster = async () => (cluster ??= await startPrivateCluster());

afterEach(() => killAll());
afterAll(() => {
  cluster?.destroy();
  // The table docs/fault-suite.md shows, from this run.
  const lines = [
    "| scenario | deployment | orders | keys | fault | acked in burst | redelivered | repeated sends | duration | result |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.scenario} | ${r.deployment} | ${r.orders} | ${r.keys} | ${r.fault} | ${r.acknowledgedInBurst} | ${r.redelivered} | ${r.repeatedSends} | ${(r.durationMs / 1000).toFixed(1)} s | ${r.result} |`),
  ];
  fs.mkdirSync("test-results", { recursive: true });
  fs.writeFileSync(path.join("test-results", "fault-suite.md"), lines.join("\n") + "\n");
});

interface Fault {
  /** What the docs table says was done. */
  description: string;
  inject(d: Deployment): Promise<void>;
  /** Inject while the second half of the burst is being sent (kills), not before it. */
  alongside?: boolean;
  /** Holds the fault until the app has run into it. */
  observed?(d: Deployment): Promise<boolean>;
  recover(d: Deployment): Promise<void>;
}

function scenario(name: string, kind: "sqlite" | "postgres", fault: Fault) {
  it(name, async () => {
    const started = Date.now();
    const d = new Deployment({ kind, keys: KEYS, cluster: kind === "postgres" ? await pgCluster() : undefined });
    let result = "failed";
    let b: Awaited<ReturnType<typeof burst>> | undefined;
    let repeatedSends = 0;
    const kept = path.resolve("test-results", "faults", `${name.replace(/[^a-z0-9]+/gi, "-").replace(/-$/, "")}.log`);
    try {
      await d.setUp();
      await d.start();
      // The host shows the pool's stock before the burst: the sync after it has something to move.
      await waitForHostStock(d, KEYS);
      b = await burst(d, { orders: ORDERS, fault: () => fault.inject(d), faultAlongside: fault.alongside, observed: fault.observed && (() => fault.observed!(d)), recover: () => fault.recover(d) });
      await quiesce(d);
      const inv = await readInvariants(d, b.orderIds);
      repeatedSends = inv.repeatedSends;
      expect(inv.lostOrders, "acknowledged orders without one live allocation").toEqual([]);
      expect(inv.keysInTwoAllocations, "keys in two live allocations").toBe(0);
      expect({ allocated: inv.allocated, backordered: inv.backordered }).toEqual({ allocated: KEYS, backordered: ORDERS - KEYS });
      expect(inv.codesInTwoNotes, "codes written into two orders' notes").toEqual([]);
      expect(inv.codesInNotes, "distinct codes in the notes").toBe(KEYS);
      expect(inv.notesNotOne, "orders without exactly one note").toEqual([]);
      expect(inv.emailsNotOne, "orders without exactly one email").toEqual([]);
      expect(inv.hostStock, "host stock").toBe(inv.availableKeys);
      expect(inv.failedJobs, "jobs that gave up").toEqual([]);
      result = "pass";
    } catch (e) {
      throw Object.assign(e as Error, { message: `${(e as Error).message}\n(keyrelay's output: ${kept})` });
    } finally {
      // keyrelay's output of every scenario, for the report (and for a failure's cause).
      fs.mkdirSync(path.dirname(kept), { recursive: true });
      if (fs.existsSync(d.logFile)) fs.copyFileSync(d.logFile, kept);
      rows.push({
        scenario: name,
        deployment: kind === "sqlite" ? "npm start, SQLite" : "start:web + start:worker, Postgres + Redis",
        orders: ORDERS,
        keys: KEYS,
        fault: fault.description,
        acknowledgedInBurst: b?.acknowledgedInBurst.length ?? 0,
        redelivered: b?.redelivered ?? 0,
        repeatedSends,
        durationMs: Date.now() - started,
        result,
      });
      await d.tearDown();
    }
  });
}

async function waitForHostStock(d: Deployment, n: number) {
  const deadline = Date.now() + 60_000;
  while (d.wc.getStock(d.productId).stock_quantity !== n) {
    if (Date.now() > deadline) throw new Error(`the host never showed ${n} in stock (shows ${d.wc.getStock(d.productId).stock_quantity})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Lands a kill on work in hand: waits until order work is pending or running, then kills. */
async function killWithWorkInHand(d: Deployment, role: "all" | "web" | "worker") {
  await waitFor(() => d.count(`select count(*) n from jobs where queue in ('process-event', 'deliver-order', 'send-email') and status in ('pending', 'running')`), 30_000, "order work in hand");
  await d.kill9(role);
}

/** Requests the fake host answered with this status since the fault began. */
const hostAnswered = (d: Deployment, status: number) => d.wc.requests.filter((r) => r.status === status).length;

describe("fault suite", () => {
  beforeAll(() => fs.rmSync(path.join("test-results", "fault-suite.md"), { force: true }));

  scenario("kill -9 of the app", "sqlite", {
    description: "`kill -9` of the one process mid-burst, with order work in hand; `npm start` again",
    inject: (d) => killWithWorkInHand(d, "all"),
    alongside: true,
    recover: (d) => d.start("all"),
  });

  scenario("kill -9 of the web process", "postgres", {
    description: "`kill -9` of start:web mid-burst, with order work in hand; started again",
    inject: (d) => killWithWorkInHand(d, "web"),
    alongside: true,
    recover: (d) => d.start("web"),
  });

  scenario("kill -9 of the worker", "postgres", {
    description: "`kill -9` of start:worker mid-burst, with order work in hand (the web keeps acknowledging); started again",
    inject: (d) => killWithWorkInHand(d, "worker"),
    alongside: true,
    recover: (d) => d.start("worker"),
  });

  scenario("Redis stopped and restarted", "postgres", {
    description: "redis-server stopped mid-burst (its queue is lost: no persistence), started again on the same port",
    inject: (d) => d.redis!.stop(),
    // The web has tried to hand work to Redis and fallen back on the jobs table.
    observed: async (d) => [...d.processes.values()].some((p) => /could not trigger job in Redis|did not take the trigger in time/.test(p.output())),
    recover: (d) => d.redis!.start(),
  });

  scenario("SMTP down then up", "sqlite", {
    description: "SMTP server stopped mid-burst, started again on the same port once a send has failed",
    inject: (d) => d.stopSmtp(),
    observed: async (d) => (await d.count(`select count(*) n from jobs where queue = 'send-email' and last_error is not null`)) > 0,
    recover: (d) => d.startSmtp(),
  });

  scenario("host API answering 500 on write-back", "postgres", {
    description: "every WooCommerce API call answered 500 from mid-burst until 10 have been refused",
    inject: async (d) => d.wc.failNext(1_000_000, { status: 500 }),
    observed: async (d) => hostAnswered(d, 500) >= 10,
    recover: async (d) => d.wc.clearFailures(),
  });

  scenario("host API answering 429 on write-back", "sqlite", {
    description: "every WooCommerce API call answered 429 (Retry-After: 1) from mid-burst until 10 have been refused",
    inject: async (d) => d.wc.failNext(1_000_000, { status: 429, retryAfter: 1 }),
    observed: async (d) => hostAnswered(d, 429) >= 10,
    recover: async (d) => d.wc.clearFailures(),
  });

  let stoppedAt = 0;
  scenario("database briefly unreachable (Postgres restarted)", "postgres", {
    description: "the private Postgres cluster stopped (`pg_ctl stop -m fast`) mid-burst for 7 s (longer than a job's bookkeeping retries) and until a webhook is refused, then started",
    inject: async () => {
      cluster!.stop();
      stoppedAt = Date.now();
    },
    // Down longer than a job's bookkeeping retries (about 5 s): a run in hand cannot record its
    // outcome and is left running, for the sweeper to release once the database is back.
    observed: async (d) => d.wc.deliveries.some((x) => x.status === null || x.status >= 500) && Date.now() - stoppedAt > 7_000,
    recover: async () => cluster!.start(),
  });
});
