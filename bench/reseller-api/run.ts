/**
 * Reseller API benchmark (issue 14), printed, never asserted. Per dialect, against the production
 * build served in this process (the load generator shares its CPU: the numbers are a floor):
 *   1. POST /api/v1/orders open-loop at --rate requests/s for --seconds: achieved rate, p50/p99,
 *      and its ratio to the raw claim rate measured in the same run (the claim statement + its
 *      allocation insert, one transaction each, through the app's own repository code);
 *   2. 1,000 concurrent orders for the last 100 keys: fulfilled count, balance vs ledger sum;
 *   3. 100 concurrent copies of one Idempotency-Key: orders and debits.
 * Exits non-zero only when a result is wrong (a key sold twice, a second debit).
 *
 *   npm run build && node bench/reseller-api/run.ts [--rate 200] [--seconds 5] [--only sqlite|postgres]
 */
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { ServerBuild } from "react-router";
import { loadConfig } from "../../app/.server/config.ts";
import { createLogger } from "../../app/.server/logger.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import { createHttpApp } from "../../app/.server/runtime/http-app.ts";
import type { Services } from "../../app/.server/ports.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { claimAvailableKeys, insertUnits } from "../../app/.server/db/repositories/allocations-repo.ts";
import { insertResellerOrder } from "../../app/.server/db/repositories/reseller-orders-repo.ts";
import { ledgerSum } from "../../app/.server/db/repositories/reseller-ledger-repo.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { createReseller, setResellerPrice } from "../../app/.server/use-cases/manage-resellers.ts";
import { changeResellerBalance } from "../../app/.server/use-cases/reseller-balance.ts";
import { createResellerToken } from "../../app/.server/use-cases/manage-reseller-tokens.ts";
import { freshDatabase, type BenchDialect } from "../allocate/fresh-database.ts";

const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "5" },
    only: { type: "string" },
    "pg-url": { type: "string", default: process.env.KEYRELAY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const cli = { type: "cli" as const };

async function* text(codes: string[]) {
  yield new TextEncoder().encode(codes.join("\n") + "\n");
}

async function setup(s: Services, stock: number, tag: string) {
  const account = await createAccount(s.db, { name: `bench ${tag}` });
  const pool = await createPool(s, account.id, { name: `pool ${tag}` }, cli);
  for (let i = 0; i < stock; i += 20_000) {
    const codes = Array.from({ length: Math.min(20_000, stock - i) }, (_, j) => `${tag}-${String(i + j).padStart(8, "0")}`);
    await importKeys(s, { accountId: account.id, poolId: pool.id, format: "txt", actor: cli, source: text(codes) });
  }
  const r = await createReseller(s, account.id, { name: "bench", email: "bench@example.com", currency: "USD", ratePerSecond: "1000000", rateBurst: "1000000" }, cli);
  await setResellerPrice(s, account.id, { resellerId: r.id, poolId: pool.id, price: "1.00" }, cli);
  await changeResellerBalance(s, account.id, { resellerId: r.id, kind: "topup", amount: "10000000" }, cli);
  const { token } = await createResellerToken(s, account.id, { resellerId: r.id, scopes: "orders:write" }, cli);
  return { accountId: account.id, poolId: pool.id, resellerId: r.id, token };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function post(url: string, token: string, key: string, poolId: string) {
  const res = await fetch(`${url}/api/v1/orders`, { method: "POST", headers: { authorization: `Bearer ${token}`, "idempotency-key": key, "content-type": "application/json" }, body: JSON.stringify({ pool: poolId, quantity: 1 }) });
  const body = (await res.json()) as { id?: string; code?: string; keys?: { code: string }[] };
  return { status: res.status, body };
}

async function runDialect(dialect: BenchDialect): Promise<boolean> {
  const db = await freshDatabase(dialect, { pgUrl: args["pg-url"], keep: false });
  const config = loadConfig({ ...db.env, LOG_LEVEL: "warn" });
  const s = await createServices(config, { log: createLogger({ level: "warn" }) });
  await s.jobs.startWorkers();
  const buildDir = path.resolve("build");
  const build = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as ServerBuild;
  const server = createHttpApp(s, build, buildDir).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let ok = true;
  try {
    // 1. Sustained rate.
    const total = rate * seconds;
    const a = await setup(s, total + 100, "RATE");
    const lat: number[] = [];
    const statuses: Record<number, number> = {};
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(
        (async () => {
          const t0 = performance.now();
          const r = await post(url, a.token, `rate-${i}`, a.poolId);
          lat.push(performance.now() - t0);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        })(),
      );
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - start) / 1000;
    const achieved = total / elapsed;

    // Raw claim rate on another pool: the claim statement + allocation rows, one transaction each.
    const raw = await setup(s, 5000, "RAW");
    const rawN = 3000;
    const r0 = performance.now();
    for (let i = 0; i < rawN; i++) {
      await s.db.transaction().execute(async (trx) => {
        const now = new Date().toISOString();
        const keys = await claimAvailableKeys(trx, s.database.dialect, raw.poolId, 1, now);
        const { line } = await insertResellerOrder(trx, { accountId: raw.accountId, resellerId: raw.resellerId, poolId: raw.poolId, poolName: "raw", quantity: 1, unitPriceMinor: 100, currency: "USD", reference: null }, now);
        await insertUnits(trx, [{ accountId: raw.accountId, orderLineId: line.id, unitIndex: 0, poolId: raw.poolId, keyId: keys[0] ?? null, now }]);
      });
    }
    const rawRate = rawN / ((performance.now() - r0) / 1000);

    // 2. 1,000 concurrent orders for the last 100 keys.
    const b = await setup(s, 100, "LAST");
    const c0 = performance.now();
    const rush = await Promise.all(Array.from({ length: 1000 }, (_, i) => post(url, b.token, `rush-${i}`, b.poolId)));
    const rushMs = performance.now() - c0;
    const sold = rush.filter((r) => r.status === 201);
    const codes = new Set(sold.flatMap((r) => r.body.keys?.map((k) => k.code) ?? []));
    const ledger = await ledgerSum(s.db, b.resellerId);
    const balance = Number((await s.db.selectFrom("resellers").select("balance_minor").where("id", "=", b.resellerId).executeTakeFirstOrThrow()).balance_minor);
    if (sold.length !== 100 || codes.size !== 100 || balance !== ledger.sum) ok = false;

    // 3. 100 concurrent copies of one Idempotency-Key.
    const c = await setup(s, 10, "IDEM");
    const storm = await Promise.all(Array.from({ length: 100 }, () => post(url, c.token, "one-key", c.poolId)));
    const orders = (await s.db.selectFrom("orders").select("id").where("reseller_id", "=", c.resellerId).execute()).length;
    const debits = (await s.db.selectFrom("reseller_ledger").select("id").where("reseller_id", "=", c.resellerId).where("kind", "=", "debit").execute()).length;
    const stormStatuses = storm.reduce<Record<number, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});
    if (orders !== 1 || debits !== 1) ok = false;

    console.log(`\n== ${dialect} ==`);
    console.log(`POST /api/v1/orders at ${rate}/s for ${seconds}s: ${achieved.toFixed(0)} req/s achieved, p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, statuses ${JSON.stringify(statuses)}`);
    console.log(`raw claim rate (claim + order + allocation, 1 tx each, sequential): ${rawRate.toFixed(0)}/s → API/raw ratio ${(achieved / rawRate).toFixed(2)}`);
    console.log(`1,000 concurrent orders for the last 100 keys: ${sold.length} fulfilled, ${codes.size} distinct keys, ${rush.length - sold.length} refused (${[...new Set(rush.filter((r) => r.status !== 201).map((r) => r.body.code))].join(",")}), ${rushMs.toFixed(0)} ms; balance ${balance} vs ledger sum ${ledger.sum}${balance === ledger.sum ? " (equal)" : " (DIFFERENT)"}`);
    console.log(`100 concurrent copies of one Idempotency-Key: ${orders} order(s), ${debits} debit(s), statuses ${JSON.stringify(stormStatuses)}`);
  } finally {
    await new Promise((r) => server.close(() => r(undefined)));
    await s.close();
    await db.cleanup();
  }
  return ok;
}

if (!fs.existsSync(path.resolve("build/server/index.js"))) {
  console.error("build/server/index.js is missing: run `npm run build` first");
  process.exit(2);
}
let allOk = true;
for (const d of ["sqlite", "postgres"] as const) {
  if (args.only && args.only !== d) continue;
  try {
    allOk = (await runDialect(d)) && allOk;
  } catch (e) {
    console.error(`${d}: ${e instanceof Error ? e.message : String(e)}`);
    allOk = false;
  }
}
process.exit(allOk ? 0 : 1);
