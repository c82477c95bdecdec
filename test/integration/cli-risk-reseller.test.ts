import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateReseller } from "../../app/.server/use-cases/authenticate-reseller.ts";
import { placeResellerOrder } from "../../app/.server/use-cases/place-reseller-order.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { runCli } from "../support/run-cli.ts";
import { makeServices } from "../support/test-services.ts";

/** bin/keyrelay risk review approve|deny on reseller orders held by the rules: no store to write to or cancel on; deny credits the reseller. */
describe("CLI: risk review of reseller orders", () => {
  let dir: string;
  let env: Record<string, string>;
  let poolId: string;
  let resellerId: string;
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);
  const balance = async () => json(await runCli(["reseller", "list", "--json"], { env })).resellers[0].balanceMinor as number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-risk-reseller-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8" };
    expect((await runCli(["admin", "create", "--email", "owner@example.com", "--password-stdin", "--json"], { env, stdin: "correct-horse-1\n" })).code).toBe(0);
    poolId = json(await runCli(["pool", "create", "--name", "Steam $20", "--json"], { env })).id;
    resellerId = json(await runCli(["reseller", "create", "--name", "Downstream", "--email", "ops@down.example", "--currency", "USD", "--json"], { env })).reseller.id;
    expect((await runCli(["reseller", "price", "set", "--reseller", resellerId, "--pool", poolId, "--price", "12.50", "--json"], { env })).code).toBe(0);
    expect((await runCli(["reseller", "balance", "topup", "--reseller", resellerId, "--amount", "100", "--json"], { env })).code).toBe(0);
    expect((await runCli(["risk", "rules", "add", "--when", "platform = reseller", "--then", "review", "--name", "Every reseller order", "--json"], { env })).code).toBe(0);
  }, 90_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("review list shows held reseller orders; approve delivers, deny --refund --cancel credits the total back and asks nothing of a store", async () => {
    const token = json(await runCli(["reseller", "token", "create", "--reseller", resellerId, "--scopes", "orders:write", "--json"], { env })).token;
    const s = await makeServices({ dialect: "sqlite", env: { DATA_DIR: env.DATA_DIR } });
    const ids: string[] = [];
    try {
      const accountId = (await s.db.selectFrom("accounts").select("id").executeTakeFirstOrThrow()).id;
      await stockPool(s, accountId, poolId, ["CLI-RISK-1", "CLI-RISK-2", "CLI-RISK-3"]);
      const caller = await authenticateReseller(s, `Bearer ${token}`, "127.0.0.1", "orders:write");
      for (const [key, quantity] of [["a", 1], ["b", 2]] as const) {
        const body = { pool: poolId, quantity };
        const placed = await placeResellerOrder(s, caller, key, body, body, "203.0.113.9");
        expect(placed.order).toMatchObject({ status: "in_review", keys: [] });
        ids.push(placed.order.id);
      }
    } finally {
      await s.cleanup();
    }
    expect(await balance()).toBe(10000 - 3750);
    const list = await runCli(["risk", "review", "list", "--json"], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.stringify(json(list))).toContain(ids[0]);
    expect(JSON.stringify(json(list))).toContain(ids[1]);

    const ok = await runCli(["risk", "review", "approve", ids[0]!, "--reason", "known", "--json"], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok)).toMatchObject({ orderId: ids[0], status: "approved" });

    const denied = await runCli(["risk", "review", "deny", ids[1]!, "--reason", "fraud", "--refund", "--cancel"], { env });
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toContain("The order's total, 25.00 USD, went back to the reseller's balance");
    expect(await balance()).toBe(10000 - 1250);
    const again = await runCli(["risk", "review", "deny", ids[1]!, "--reason", "fraud", "--json"], { env });
    expect(again.code).toBe(2);
    expect(await balance()).toBe(10000 - 1250);

    const check = await makeServices({ dialect: "sqlite", env: { DATA_DIR: env.DATA_DIR } });
    try {
      expect(await check.db.selectFrom("jobs").select("id").where("queue", "=", "cancel-host-order").execute()).toEqual([]);
      const keys = await check.db.selectFrom("keys").select("state").where("pool_id", "=", poolId).orderBy("id").execute();
      expect(keys.map((k) => k.state).sort()).toEqual(["available", "available", "delivered"]);
    } finally {
      await check.cleanup();
    }
  });
});
