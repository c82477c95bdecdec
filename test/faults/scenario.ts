import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { loadConfig } from "../../app/.server/config.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { createLogger } from "../../app/.server/logger.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { freePort } from "../support/free-port.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../support/smtp-server.ts";
import { waitFor } from "../support/test-services.ts";
import { kill9, startKeyrelay, startPrivateRedis, type PrivateCluster, type PrivateRedis, type Role, type Spawned } from "./processes.ts";

const actor = { type: "cli" as const };

/** The queues an order's work goes through; quiescence is none of them pending or running. */
const ORDER_QUEUES = ["process-event", "deliver-order", "send-email", "sync-stock", "fill-backorders"];

export interface DeploymentOptions {
  /** "sqlite": `npm start` (one process, jobs on its second thread). "postgres": `start:web` + `start:worker` on Postgres + Redis. */
  kind: "sqlite" | "postgres";
  keys: number;
  cluster?: PrivateCluster;
}

/**
 * One deployment of keyrelay for one scenario: its own data directory (SQLite) or database in
 * the private cluster plus its own redis-server (Postgres), a fake WooCommerce store with a
 * product mapped to a pool of `keys` keys, keyrelay's own delivery email on, and a real SMTP
 * server. The merchant is set up through the use-cases before the processes start, as the
 * crash-recovery test does.
 */
export class Deployment {
  readonly dir: string;
  readonly logFile: string;
  env: Record<string, string> = {};
  wc!: FakeWooCommerce;
  smtp!: TestSmtpServer;
  smtpPort = 0;
  /** Every message received, across SMTP server restarts. */
  mails: ReceivedMail[] = [];
  redis?: PrivateRedis;
  hookId = 0;
  productId = 0;
  poolId = "";
  codes: string[] = [];
  processes = new Map<Role, Spawned>();
  private pgClient?: pg.Client;

  readonly opts: DeploymentOptions;

  constructor(opts: DeploymentOptions) {
    this.opts = opts;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `keyrelay-faults-${opts.kind}-`));
    this.logFile = path.join(this.dir, "keyrelay.log");
  }

  async setUp(): Promise<void> {
    this.wc = await startFakeWooCommerce();
    await this.startSmtp();
    const port = await freePort();
    this.env = {
      DATA_DIR: this.dir,
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "info",
      SMTP_URL: `smtp://127.0.0.1:${this.smtpPort}`,
      MAIL_FROM: "keyrelay <no-reply@keyrelay.test>",
      // A crashed process's claims are taken over within seconds (a live one keeps its claim fresh).
      JOBS_LOCK_TIMEOUT_MS: "3000",
      JOBS_SWEEP_INTERVAL_MS: "250",
      HOST_REQUEST_TIMEOUT_MS: "3000",
      STOCK_SYNC_WINDOW_MS: "300",
    };
    if (this.opts.kind === "postgres") {
      const cluster = this.opts.cluster!;
      const database = `faults_${crypto.randomBytes(5).toString("hex")}`;
      await cluster.createDatabase(database);
      this.env.DATABASE_URL = cluster.url(database);
      this.env.KEYRELAY_MASTER_KEY = crypto.randomBytes(32).toString("base64");
      this.env.SESSION_SECRET = crypto.randomBytes(32).toString("base64");
      this.redis = await startPrivateRedis(this.dir);
    }

    // The merchant: an account, a pool of `keys` keys, the store connected, one product mapped.
    const setupEnv = { ...this.env };
    delete setupEnv.SMTP_URL;
    const s = await createServices(loadConfig(setupEnv), { log: createLogger({ level: "silent" }) });
    try {
      const accountId = (await createAccount(s.db, { name: "Fault suite", alertEmail: "alerts@example.com" })).id;
      this.poolId = (await createPool(s, accountId, { name: "Game card" }, actor)).id;
      this.codes = Array.from({ length: this.opts.keys }, (_, i) => `FAULT-${crypto.randomBytes(4).toString("hex").toUpperCase()}-${String(i).padStart(4, "0")}`);
      const codes = this.codes;
      async function* source() {
        yield new TextEncoder().encode(codes.join("\n") + "\n");
      }
      const r = await importKeys(s, { accountId, poolId: this.poolId, format: "txt", actor, source: source() });
      if (r.added !== this.opts.keys) throw new Error(`imported ${r.added} of ${this.opts.keys} keys`);
      const store = await connectWooCommerceStore(s, accountId, { ...this.wc.connection }, actor);
      // WooCommerce stores email through WooCommerce by default; the suite counts keyrelay's own email.
      await s.db.updateTable("stores").set({ settings: JSON.stringify({ sendEmail: true }) }).where("id", "=", store.id).execute();
      this.hookId = this.wc.getWebhooks().find((w) => w.topic === "order.updated")!.id;
      this.productId = this.wc.createProduct({ name: "Game card", price: "5.00" }).id;
      await mapProduct(s, accountId, { storeId: store.id, productId: String(this.productId), poolId: this.poolId }, actor);
    } finally {
      await s.close();
    }
    if (this.redis) this.env.REDIS_URL = this.redis.url;
  }

  get roles(): Role[] {
    return this.opts.kind === "sqlite" ? ["all"] : ["web", "worker"];
  }

  async start(role?: Role): Promise<void> {
    for (const r of role ? [role] : this.roles) this.processes.set(r, await startKeyrelay(r, this.env, this.logFile));
  }

  async kill9(role: Role): Promise<void> {
    const p = this.processes.get(role);
    if (p) await kill9(p);
    this.processes.delete(role);
  }

  async startSmtp(): Promise<void> {
    this.smtp = await startSmtpServer(this.smtpPort ? { port: this.smtpPort } : {});
    this.smtpPort = this.smtp.port;
    // The server's own list is per instance; keep one list across restarts.
    const received = this.smtp.received;
    const push = received.push.bind(received);
    received.push = (...items: ReceivedMail[]) => {
      this.mails.push(...items);
      return push(...items);
    };
  }

  async stopSmtp(): Promise<void> {
    await this.smtp.stop();
  }

  /** Rows from the deployment's database (read-only on SQLite; a plain client on Postgres). */
  async query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    if (this.opts.kind === "sqlite") {
      const db = new Sqlite(path.join(this.dir, "keyrelay.sqlite"), { readonly: true, fileMustExist: true });
      try {
        db.pragma("busy_timeout = 5000");
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    }
    if (!this.pgClient) {
      const client = new pg.Client({ connectionString: this.env.DATABASE_URL });
      client.on("error", () => {});
      await client.connect();
      this.pgClient = client;
    }
    try {
      return (await this.pgClient.query(sql)).rows as T[];
    } catch (e) {
      // A restarted server ended the session: reconnect once.
      this.pgClient.end().catch(() => {});
      this.pgClient = undefined;
      if (/terminat|Connection|ECONN/i.test((e as Error).message)) return this.query<T>(sql);
      throw e;
    }
  }

  async count(sql: string): Promise<number> {
    const [row] = await this.query<{ n: number | string }>(sql);
    return Number(row.n);
  }

  async tearDown(): Promise<void> {
    for (const role of [...this.processes.keys()]) await this.kill9(role);
    await this.pgClient?.end().catch(() => {});
    await this.smtp?.stop().catch(() => {});
    await this.wc?.close();
    await this.redis?.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface BurstResult {
  orderIds: number[];
  /** Orders whose webhook got a 2xx during the burst itself (before any redelivery). */
  acknowledgedInBurst: number[];
  /** Deliveries that got no 2xx (refused, timed out, 5xx) and were sent again after recovery. */
  redelivered: number;
}

/**
 * A burst of `orders` paid orders (one key each), their order.updated webhooks delivered
 * `concurrency` at a time; `fault` runs once half of them have been sent (alongside the second
 * half, or before it), `observed` holds it until the app has run into it, then `recover` runs. Every delivery that got no 2xx
 * is then sent again until it does, as WooCommerce retries a failed delivery.
 */
export async function burst(
  d: Deployment,
  opts: { orders: number; concurrency?: number; fault: () => Promise<void>; faultAlongside?: boolean; observed?: () => Promise<boolean>; recover: () => Promise<void> },
): Promise<BurstResult> {
  const concurrency = opts.concurrency ?? 4;
  const orderIds = Array.from({ length: opts.orders }, () => d.wc.createOrder({ line_items: [{ product_id: d.productId, quantity: 1 }], status: "processing" }).id);
  const acked = new Set<number>();
  const send = async (ids: number[]) => {
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        const r = await d.wc.deliver(d.hookId, "order.updated", id);
        if (r.status !== null && r.status >= 200 && r.status < 300) acked.add(id);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  };
  const half = Math.floor(opts.orders / 2);
  await send(orderIds.slice(0, half));
  // A kill lands while the second half is being sent; a service goes down before it, so the second
  // half is certain to run into it (and the `observed` wait below cannot outlast the burst).
  if (opts.faultAlongside) await Promise.all([opts.fault(), send(orderIds.slice(half))]);
  else {
    await opts.fault();
    await send(orderIds.slice(half));
  }
  // The fault stays until the app has run into it (a failed write-back, a refused email …).
  if (opts.observed) await waitFor(opts.observed, 90_000, "the app to run into the fault");
  const acknowledgedInBurst = [...acked];
  await opts.recover();
  let redelivered = 0;
  for (const id of orderIds) {
    if (acked.has(id)) continue;
    await waitFor(
      async () => {
        redelivered++;
        const r = await d.wc.deliver(d.hookId, "order.updated", id);
        return r.status !== null && r.status >= 200 && r.status < 300;
      },
      60_000,
      `order ${id}'s webhook to be acknowledged after recovery`,
    );
    acked.add(id);
  }
  return { orderIds, acknowledgedInBurst, redelivered };
}

/** Waits until no order work is pending or running and every webhook event is handled. */
export async function quiesce(d: Deployment, timeoutMs = 150_000): Promise<void> {
  const queues = ORDER_QUEUES.map((q) => `'${q}'`).join(",");
  await waitFor(
    async () =>
      (await d.count(`select count(*) n from jobs where queue in (${queues}) and status in ('pending', 'running')`)) === 0 &&
      (await d.count(`select count(*) n from webhook_events where status = 'received'`)) === 0,
    timeoutMs,
    "the order work to finish (no pending or running jobs)",
  );
}

export interface Invariants {
  /** Orders (by host id) whose webhook was acknowledged but that have no live allocation per unit. */
  lostOrders: number[];
  /** Keys in more than one live allocation. */
  keysInTwoAllocations: number;
  allocated: number;
  backordered: number;
  /** Orders without exactly one customer note / one email, with the count found. */
  notesNotOne: { order: number; notes: number }[];
  /** Orders without exactly one email (distinct Message-ID), with the count found. */
  emailsNotOne: { order: number; emails: number }[];
  /** Copies of an email received again with the same Message-ID (the at-least-once window). */
  repeatedSends: number;
  /** Key codes that appear in the notes of more than one order. */
  codesInTwoNotes: string[];
  /** Distinct key codes written into notes. */
  codesInNotes: number;
  hostStock: number | null;
  availableKeys: number;
  failedJobs: { queue: string; last_error: string | null }[];
}

/** Reads the four invariants from the database and the fakes. */
export async function readInvariants(d: Deployment, orderIds: number[]): Promise<Invariants> {
  const rows = await d.query<{ external_id: string; status: string; key_id: number | null }>(
    `select o.external_id, a.status, a.key_id from orders o join order_lines l on l.order_id = o.id join allocations a on a.order_line_id = l.id where a.status in ('allocated', 'backordered')`,
  );
  const live = new Map<string, number>();
  for (const r of rows) live.set(r.external_id, (live.get(r.external_id) ?? 0) + 1);
  const lostOrders = orderIds.filter((id) => live.get(String(id)) !== 1);
  const keysInTwoAllocations = await d.count(`select count(*) n from (select key_id from allocations where key_id is not null and status = 'allocated' group by key_id having count(*) > 1) x`);

  const notesNotOne: Invariants["notesNotOne"] = [];
  const emailsNotOne: Invariants["emailsNotOne"] = [];
  const codeOwners = new Map<string, Set<number>>();
  let repeatedSends = 0;
  for (const id of orderIds) {
    const notes = d.wc.getNotes(id).filter((n) => n.customer_note);
    if (notes.length !== 1) notesNotOne.push({ order: id, notes: notes.length });
    for (const n of notes) for (const code of n.note.match(/FAULT-[0-9A-F]{8}-\d{4}/g) ?? []) codeOwners.set(code, (codeOwners.get(code) ?? new Set()).add(id));
    // One email = one message: a send repeated in the at-least-once window (SMTP accepted it, the
    // process died before recording it) carries the same Message-ID, which mail systems fold.
    const email = d.wc.getOrder(id)!.billing.email;
    const received = d.mails.filter((m) => m.envelope.to.includes(email));
    const emails = new Set(received.map((m) => m.parsed.messageId)).size;
    if (emails !== 1 || received.some((m) => !m.parsed.messageId)) emailsNotOne.push({ order: id, emails });
    repeatedSends += received.length - emails;
  }
  const queues = ORDER_QUEUES.map((q) => `'${q}'`).join(",");
  return {
    lostOrders,
    keysInTwoAllocations,
    allocated: rows.filter((r) => r.status === "allocated").length,
    backordered: rows.filter((r) => r.status === "backordered").length,
    notesNotOne,
    emailsNotOne,
    repeatedSends,
    codesInNotes: codeOwners.size,
    codesInTwoNotes: [...codeOwners].filter(([, owners]) => owners.size > 1).map(([c]) => c),
    hostStock: d.wc.getStock(d.productId).stock_quantity,
    availableKeys: await d.count(`select count(*) n from keys where pool_id = '${d.poolId}' and state = 'available'`),
    failedJobs: await d.query(`select queue, last_error from jobs where queue in (${queues}) and status = 'failed'`),
  };
}
