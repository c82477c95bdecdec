import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../app/.server/config.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { createLogger } from "../../app/.server/logger.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { freePort } from "../support/free-port.ts";
import { waitFor } from "../support/test-services.ts";

const actor = { type: "cli" as const };

/**
 * The embedded default, killed with SIGKILL after an order's keys were allocated and before the
 * host write-back went through: after a restart the same keys are written once, nothing is lost,
 * nothing is allocated twice.
 */
describe("a crash between allocation and write-back", () => {
  let dir: string;
  let wc: FakeWooCommerce;
  let env: Record<string, string>;
  let child: ChildProcess | undefined;
  let hookId: number;
  let productId: number;

  const start = async () => {
    const proc = spawn(process.execPath, [path.resolve("scripts/start.ts")], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout!.on("data", (d) => (out += d));
    proc.stderr!.on("data", (d) => (out += d));
    try {
      await waitFor(async () => out.includes("is listening") || undefined, 60_000, "the server to listen");
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${out}`);
    }
    return proc;
  };
  const db = () => new Sqlite(path.join(dir, "keyrelay.sqlite"), { readonly: true, fileMustExist: true });
  const query = <T>(sql: string): T[] => {
    const d = db();
    try {
      return d.prepare(sql).all() as T[];
    } finally {
      d.close();
    }
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-crash-"));
    wc = await startFakeWooCommerce();
    const port = await freePort();
    env = { DATA_DIR: dir, PORT: String(port), HOST: "127.0.0.1", APP_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: "info", JOBS_LOCK_TIMEOUT_MS: "2000", JOBS_SWEEP_INTERVAL_MS: "200", HOST_REQUEST_TIMEOUT_MS: "2000" };
    for (const v of ["DATABASE_URL", "REDIS_URL", "SMTP_URL", "KEYRELAY_MASTER_KEY", "SESSION_SECRET"]) delete process.env[v];
    // Set the merchant up through the use-cases, on the same data directory the server will use.
    const s = await createServices(loadConfig(env), { log: createLogger({ level: "silent" }) });
    try {
      const accountId = (await createAccount(s.db, { name: "Crash test" })).id;
      const poolId = (await createPool(s, accountId, { name: "Cards" }, actor)).id;
      async function* codes() {
        yield new TextEncoder().encode("CRASH-0001\nCRASH-0002\nCRASH-0003\n");
      }
      await importKeys(s, { accountId, poolId, format: "txt", actor, source: codes() });
      const store = await connectWooCommerceStore(s, accountId, { ...wc.connection }, actor);
      hookId = wc.getWebhooks()[0].id;
      productId = wc.createProduct({ name: "Card", price: "5.00" }).id;
      await mapProduct(s, accountId, { storeId: store.id, productId: String(productId), poolId }, actor);
    } finally {
      await s.close();
    }
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await wc?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes the same keys once after a restart", async () => {
    // The store's note endpoint hangs: the write-back is in flight when the process dies.
    wc.failNext(1000, { status: 503, route: "POST /orders/:id/notes", delayMs: 60_000 });
    child = await start();
    const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 2 }], status: "processing", billing: { email: "b@example.com" } });
    expect((await wc.deliver(hookId, "order.updated", order.id)).status).toBe(200);
    await waitFor(async () => query<{ n: number }>("select count(*) n from allocations where status = 'allocated'")[0].n === 2 || undefined, 20_000, "allocation");
    // The fake records a request when it answers; the hanging one shows as a running job instead.
    await waitFor(async () => query<{ n: number }>("select count(*) n from jobs where queue = 'deliver-order' and status = 'running'")[0].n === 1 || undefined, 20_000, "the write-back to start");
    await new Promise((r) => setTimeout(r, 300));
    const allocated = query<{ key_id: number }>("select key_id from allocations order by key_id").map((r) => r.key_id);
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("close", r));
    expect(wc.getNotes(order.id).filter((n) => n.customer_note)).toEqual([]);

    wc.clearFailures();
    child = await start();
    const notes = await waitFor(async () => {
      const n = wc.getNotes(order.id).filter((x) => x.customer_note);
      return n.length ? n : undefined;
    }, 30_000, "the note after restart");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(wc.getNotes(order.id).filter((x) => x.customer_note)).toHaveLength(1);
    expect(notes[0].note.match(/CRASH-\d{4}/g)!.sort()).toEqual(["CRASH-0001", "CRASH-0002"]);
    expect(query<{ key_id: number }>("select key_id from allocations order by key_id").map((r) => r.key_id)).toEqual(allocated);
    expect(query<{ state: string; n: number }>("select state, count(*) n from keys group by state order by state")).toEqual([
      { state: "available", n: 1 },
      { state: "delivered", n: 2 },
    ]);
  }, 120_000);
});
