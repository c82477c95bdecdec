import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../app/.server/db/database.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { addDays } from "../../app/.server/domain/report-day.ts";
import { runCli } from "../support/run-cli.ts";
import { writeSalesHistory } from "../support/sales-history.ts";

/** `report …` and `forecast` over 120 days of seeded history: JSON, CSV, human text, and bad input. */
describe("CLI: reports and forecast", () => {
  let dir: string;
  let env: Record<string, string>;
  let poolId: string;
  let written: { orders: number; keys: number };
  const today = new Date().toISOString().slice(0, 10);
  const from = addDays(today, -119);
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-reports-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8", APP_URL: "https://keys.example.com" };
    const admin = await runCli(["admin", "create", "--email", "owner@example.com", "--password-stdin", "--json"], { env, stdin: "correct-horse-1\n" });
    expect(admin.code).toBe(0);
    const accountId = json(admin).accountId as string;
    poolId = json(await runCli(["pool", "create", "--name", "Gift card", "--json"], { env })).id;
    const other = json(await runCli(["pool", "create", "--name", "Membership", "--json"], { env })).id;
    const database = openDatabase({ dialect: "sqlite", file: path.join(dir, "data", "keyrelay.sqlite"), checkpointer: false });
    try {
      const store = await insertStore(database.db, { accountId, platform: "woocommerce", domain: "shop.example", name: "Shop" });
      written = await writeSalesHistory(database.db, {
        accountId,
        storeIds: [store.id],
        pools: [
          { id: poolId, weight: 3, priceMinor: 1000, costMinor: 700, supplier: "Acme" },
          { id: other, weight: 1, priceMinor: 500, costMinor: null },
        ],
        endDay: today,
        days: 120,
        ordersPerDay: 6,
        currency: "EUR",
        buyers: 150,
        seed: 11,
      });
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("report sales adds up per pool to what was written, in JSON and as CSV", async () => {
    const r = await runCli(["report", "sales", "--from", from, "--to", today, "--group-by", "pool", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    const body = json(r);
    expect(body.pendingOrders).toBe(0);
    expect(body.currencies).toHaveLength(1);
    const eur = body.currencies[0];
    expect(eur.currency).toBe("EUR");
    expect(eur.totals.orders).toBe(written.orders);
    expect(eur.totals.units).toBe(written.keys);
    expect(eur.rows.map((x: { label: string }) => x.label)).toEqual(["Gift card", "Membership"]);
    const csv = await runCli(["report", "sales", "--from", from, "--to", today, "--group-by", "month", "--csv"], { env });
    expect(csv.code).toBe(0);
    expect(csv.stdout.startsWith("\uFEFF")).toBe(true);
    expect(csv.stdout.split("\r\n")[0]).toBe("\uFEFFmonth,name,platform,currency,orders,units,revenue,refunded,net,refunded_units,refund_rate,revoked_units,delivered_units,backordered_units,unpriced_units,share_of_revenue");
    const human = await runCli(["report", "sales", "--from", from, "--to", today], { env });
    expect(human.stdout).toContain(`EUR: ${written.orders} orders, ${written.keys} keys`);
  });

  it("margin by supplier counts the keys without a cost; rebuild proves the rollups", async () => {
    const m = json(await runCli(["report", "margin", "--from", from, "--to", today, "--group-by", "supplier", "--json"], { env }));
    const rows = m.currencies[0].rows;
    expect(rows.find((x: { key: string }) => x.key === "Acme").costMinor).toBeGreaterThan(0);
    expect(m.currencies[0].totals.costUnknownUnits).toBeGreaterThan(0);
    const rebuilt = await runCli(["report", "rebuild", "--json"], { env });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(json(rebuilt)).toMatchObject({ orders: written.orders, check: { ok: true, mismatches: [] } });
  });

  it("repurchase masks buyers unless revealed; forecast gives a plan", async () => {
    const masked = await runCli(["report", "repurchase", "--from", from, "--to", today, "--json"], { env });
    expect(masked.stdout).not.toMatch(/buyer\d+@example\.com/);
    expect(json(masked).repeatBuyers).toBeGreaterThan(0);
    const f = await runCli(["forecast", "--pool", poolId, "--days", "14", "--json"], { env });
    expect(f.code, f.stderr).toBe(0);
    const body = json(f);
    expect(body.forecast.status).toBe("ok");
    expect(body.points).toHaveLength(14);
    expect(body.forecast.backtestMase).toBeLessThan(1.2);
    expect(body).toMatchObject({ leadTimeDays: 3, serviceLevelPct: 95, available: 0 });
    expect(body.plan.suggestedOrderQuantity).toBeGreaterThan(0);
    const human = await runCli(["forecast", "--pool", poolId, "--lead-time", "7"], { env });
    expect(human.stdout).toContain("Gift card is out of stock");
    expect(human.stdout).toContain("lead time 7 days, 95% service level");
  });

  it("bad input exits 2 naming the field, in the reader's language, and another account's pool is not found", async () => {
    const bad = await runCli(["report", "sales", "--from", "2026-13-01", "--json"], { env });
    expect(bad.code).toBe(2);
    expect(json(bad).error).toMatchObject({ code: "report_invalid_day", field: "from" });
    const group = await runCli(["report", "sales", "--group-by", "hour", "--locale=zh-CN"], { env });
    expect(group.code).toBe(2);
    expect(group.stderr).toContain("分组方式须为以下之一");
    const days = await runCli(["forecast", "--pool", poolId, "--days", "500", "--json"], { env });
    expect(json(days).error).toMatchObject({ code: "report_bad_number", field: "days" });
    const missing = await runCli(["forecast", "--pool", "no-such-pool", "--json"], { env });
    expect(missing.code).toBe(2);
    expect(json(missing).error.code).toBe("pool_not_found");
  });
});
