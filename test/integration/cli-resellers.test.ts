import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateReseller } from "../../app/.server/use-cases/authenticate-reseller.ts";
import { placeResellerOrder } from "../../app/.server/use-cases/place-reseller-order.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { runCli } from "../support/run-cli.ts";
import { makeServices } from "../support/test-services.ts";

/** bin/keyrelay reseller …: create, list, price, top-up, token create (shown once) and revoke, each with --json; bad input exits 2 naming the field. */
describe("CLI: resellers", () => {
  let dir: string;
  let env: Record<string, string>;
  let poolId: string;
  let resellerId: string;
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-resellers-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8" };
    const admin = await runCli(["admin", "create", "--email", "owner@example.com", "--password-stdin", "--json"], { env, stdin: "correct-horse-1\n" });
    expect(admin.code, admin.stderr).toBe(0);
    const pool = await runCli(["pool", "create", "--name", "Steam $20", "--json"], { env });
    expect(pool.code, pool.stderr).toBe(0);
    poolId = json(pool).id;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("creates and lists a reseller", async () => {
    const r = await runCli(["reseller", "create", "--name", "Downstream", "--email", "Ops@Down.example", "--currency", "usd", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    resellerId = json(r).reseller.id;
    expect(json(r).reseller).toMatchObject({ name: "Downstream", email: "ops@down.example", currency: "USD", status: "active", balanceMinor: 0 });
    const list = await runCli(["reseller", "list", "--json"], { env });
    expect(json(list).resellers).toEqual([expect.objectContaining({ id: resellerId, name: "Downstream" })]);
    const human = await runCli(["reseller", "list"], { env });
    expect(human.stdout).toContain("Downstream");
    expect(human.stdout).toContain("0.00 USD");
  });

  it("sets a price and tops up the balance in minor units", async () => {
    const p = await runCli(["reseller", "price", "set", "--reseller", resellerId, "--pool", poolId, "--price", "12.50", "--json"], { env });
    expect(p.code, p.stderr).toBe(0);
    expect(json(p)).toMatchObject({ poolId, priceMinor: 1250, discountBps: null, currency: "USD" });
    const t = await runCli(["reseller", "balance", "topup", "--reseller", resellerId, "--amount", "500", "--note", "wire 42", "--json"], { env });
    expect(t.code, t.stderr).toBe(0);
    expect(json(t).entry).toMatchObject({ kind: "topup", amountMinor: 50000, balanceAfterMinor: 50000, reason: "wire 42" });
    expect(json(await runCli(["reseller", "list", "--json"], { env })).resellers[0].balanceMinor).toBe(50000);
  });

  it("creates a token shown once and revokes it", async () => {
    const c = await runCli(["reseller", "token", "create", "--reseller", resellerId, "--scopes", "catalog:read,orders:write", "--json"], { env });
    expect(c.code, c.stderr).toBe(0);
    const made = json(c);
    expect(made.token).toMatch(/^kr_live_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(made).toMatchObject({ scopes: ["catalog:read", "orders:write"], mode: "live", revokedAt: null });
    expect(made.token.startsWith(made.prefix)).toBe(true);
    const human = await runCli(["reseller", "token", "create", "--reseller", resellerId, "--scopes", "balance:read", "--sandbox"], { env });
    expect(human.stdout).toMatch(/^kr_test_\S+$/m);
    const rv = await runCli(["reseller", "token", "revoke", made.id, "--json"], { env });
    expect(rv.code, rv.stderr).toBe(0);
    expect(json(rv).token.revokedAt).not.toBeNull();
    const list = json(await runCli(["reseller", "token", "list", "--reseller", resellerId, "--json"], { env })).tokens;
    expect(list).toHaveLength(2);
    expect(list.find((t: { id: string }) => t.id === made.id)).toMatchObject({ prefix: made.prefix, revokedAt: expect.any(String) });
    expect(JSON.stringify(list)).not.toContain(made.token);
  });

  it("suspends and activates a reseller", async () => {
    const sus = await runCli(["reseller", "suspend", resellerId, "--json"], { env });
    expect(sus.code, sus.stderr).toBe(0);
    expect(json(sus).reseller.status).toBe("suspended");
    const act = await runCli(["reseller", "activate", resellerId], { env });
    expect(act.stdout).toContain("active again");
    expect(json(await runCli(["reseller", "list", "--json"], { env })).resellers[0].status).toBe("active");
  });

  it("reseller order refund credits the balance once", async () => {
    const c = await runCli(["reseller", "token", "create", "--reseller", resellerId, "--scopes", "orders:write", "--json"], { env });
    const token = json(c).token;
    // An order placed the way the API places it, on the CLI's own database.
    const s = await makeServices({ dialect: "sqlite", env: { DATA_DIR: env.DATA_DIR } });
    let orderId: string;
    try {
      const accountId = (await s.db.selectFrom("accounts").select("id").executeTakeFirstOrThrow()).id;
      await stockPool(s, accountId, poolId, ["CLI-REFUND-1", "CLI-REFUND-2"]);
      const caller = await authenticateReseller(s, `Bearer ${token}`, "127.0.0.1", "orders:write");
      const body = { pool: poolId, quantity: 2 };
      orderId = (await placeResellerOrder(s, caller, "cli-refund", body, body, null)).order.id;
    } finally {
      await s.cleanup();
    }
    expect(json(await runCli(["reseller", "list", "--json"], { env })).resellers[0].balanceMinor).toBe(50000 - 2500);
    const r = await runCli(["reseller", "order", "refund", orderId, "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ orderId, creditedMinor: 2500, currency: "USD", released: 2, alreadyRefunded: false });
    const again = await runCli(["reseller", "order", "refund", orderId], { env });
    expect(again.stdout).toContain("already refunded");
    expect(json(await runCli(["reseller", "list", "--json"], { env })).resellers[0].balanceMinor).toBe(50000);
    const unknown = await runCli(["reseller", "order", "refund", "no-such-order", "--json"], { env });
    expect(unknown.code).toBe(2);
    expect(json(unknown).error.code).toBe("order_not_found");
  });

  it("reseller statement: the month's figures as JSON and CSV; a bad month exits 2 naming it", async () => {
    const month = new Date().toISOString().slice(0, 7);
    const st = await runCli(["reseller", "statement", "--reseller", resellerId, "--month", month, "--json"], { env });
    expect(st.code, st.stderr).toBe(0);
    const body = json(st);
    expect(body.closingMinor).toBe(body.openingMinor + body.entries.reduce((n: number, e: { amountMinor: number }) => n + e.amountMinor, 0));
    expect(body.totals.topup.count).toBeGreaterThan(0);
    const csv = await runCli(["reseller", "statement", "--reseller", resellerId, "--month", month, "--csv"], { env });
    expect(csv.stdout.startsWith("\uFEFFstatement,")).toBe(true);
    const bad = await runCli(["reseller", "statement", "--reseller", resellerId, "--month", "2026-13", "--json"], { env });
    expect(bad.code).toBe(2);
    expect(json(bad).error).toMatchObject({ code: "report_invalid_month", field: "month" });
  });

  it("reseller update changes only the options given; credit-limit and price remove, each with --json", async () => {
    const u = await runCli(["reseller", "update", resellerId, "--max-per-order", "25", "--rate-per-second", "4", "--json"], { env });
    expect(u.code, u.stderr).toBe(0);
    expect(json(u).reseller).toMatchObject({ name: "Downstream", email: "ops@down.example", currency: "USD", maxUnitsPerOrder: 25, maxUnitsPerDay: null });
    const off = await runCli(["reseller", "update", resellerId, "--max-per-order", "off", "--name", "Downstream Ltd", "--json"], { env });
    expect(off.code, off.stderr).toBe(0);
    expect(json(off).reseller).toMatchObject({ name: "Downstream Ltd", maxUnitsPerOrder: null });
    const bad = await runCli(["reseller", "update", resellerId, "--max-per-day", "0", "--json"], { env });
    expect(bad.code).toBe(2);
    expect(json(bad).error).toMatchObject({ code: "reseller_limit", field: "maxUnitsPerDay" });
    const c = await runCli(["reseller", "credit-limit", "--reseller", resellerId, "--amount", "20.00", "--json"], { env });
    expect(c.code, c.stderr).toBe(0);
    expect(json(c)).toMatchObject({ resellerId, creditLimitMinor: 2000, currency: "USD" });
    const badCredit = await runCli(["reseller", "credit-limit", "--reseller", resellerId, "--amount=-1", "--json"], { env });
    expect(json(badCredit).error).toMatchObject({ code: "reseller_amount", field: "creditLimit" });
    const human = await runCli(["reseller", "credit-limit", "--reseller", resellerId, "--amount", "0"], { env });
    expect(human.stdout).toContain("Credit limit set");
    const pool2 = json(await runCli(["pool", "create", "--name", "Spare", "--json"], { env })).id as string;
    expect((await runCli(["reseller", "price", "set", "--reseller", resellerId, "--pool", pool2, "--price", "1.00", "--json"], { env })).code).toBe(0);
    const rm = await runCli(["reseller", "price", "remove", "--reseller", resellerId, "--pool", pool2, "--json"], { env });
    expect(rm.code, rm.stderr).toBe(0);
    expect(json(rm)).toEqual({ resellerId, poolId: pool2, removed: true });
    const again = await runCli(["reseller", "price", "remove", "--reseller", resellerId, "--pool", pool2, "--json"], { env });
    expect(json(again).error.code).toBe("pool_not_found");
    await runCli(["reseller", "update", resellerId, "--name", "Downstream", "--rate-per-second", "off"], { env });
  });

  it("bad input exits 2 naming the problem, and changes nothing", async () => {
    const scope = await runCli(["reseller", "token", "create", "--reseller", resellerId, "--scopes", "orders:delete", "--json"], { env });
    expect(scope.code).toBe(2);
    expect(json(scope).error).toMatchObject({ code: "reseller_scope", field: "scopes" });
    const amount = await runCli(["reseller", "balance", "topup", "--reseller", resellerId, "--amount", "12.345", "--json"], { env });
    expect(amount.code).toBe(2);
    expect(json(amount).error).toMatchObject({ code: "reseller_amount", field: "amount" });
    const unknown = await runCli(["reseller", "price", "set", "--reseller", "nope", "--pool", poolId, "--price", "1", "--json"], { env });
    expect(json(unknown).error.code).toBe("reseller_not_found");
    const missing = await runCli(["reseller", "create", "--name", "X"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--email");
    const revoke = await runCli(["reseller", "token", "revoke", "00000000-0000-0000-0000-000000000000", "--json"], { env });
    expect(json(revoke).error.code).toBe("reseller_token_not_found");
    expect(json(await runCli(["reseller", "list", "--json"], { env })).resellers[0].balanceMinor).toBe(50000);
  });
});
