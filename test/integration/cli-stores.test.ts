import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { runCli } from "../support/run-cli.ts";

describe("CLI: stores, mapping, re-run", () => {
  let dir: string;
  let env: Record<string, string>;
  let wc: FakeWooCommerce;
  let storeId: string;
  let poolId: string;
  let productId: number;
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    wc = await startFakeWooCommerce({ siteName: "Key Shop" });
    productId = wc.createProduct({ name: "Game card", price: "10.00" }).id;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-stores-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8", APP_URL: "https://keys.example.com" };
    const admin = await runCli(["admin", "create", "--email", "owner@example.com", "--password-stdin", "--json"], { env, stdin: "correct-horse-1\n" });
    expect(admin.code, admin.stderr).toBe(0);
    poolId = json(await runCli(["pool", "create", "--name", "Cards", "--json"], { env })).id;
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await wc?.close();
  });

  it("store add-woocommerce checks the keys, registers the webhook and never prints the secret", async () => {
    const { url, consumerKey, consumerSecret } = wc.connection;
    const bad = await runCli(["store", "add-woocommerce", "--url", url, "--consumer-key", consumerKey, "--consumer-secret", `cs_${"1".repeat(40)}`, "--json"], { env });
    expect(bad.code).toBe(2);
    expect(json(bad).error.code).toBe("woo_bad_credentials");
    const r = await runCli(["store", "add-woocommerce", "--url", url, "--consumer-key", consumerKey, "--consumer-secret", consumerSecret, "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    storeId = out.id;
    expect(out).toMatchObject({ name: "Key Shop", url, webhookUrl: `https://keys.example.com/webhooks/woocommerce/${storeId}`, manageStock: true, created: true });
    expect(r.stdout + r.stderr).not.toContain(consumerSecret);
    expect(wc.getWebhooks()).toHaveLength(1);
    const human = await runCli(["store", "list"], { env });
    expect(human.stdout).toContain(storeId);
    expect(human.stdout).toContain("woocommerce");
  });

  it("map links a product to a pool; an archived pool or a bad unit count is refused", async () => {
    const r = await runCli(["map", "--store", storeId, "--product", String(productId), "--pool", poolId, "--units", "3", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ storeId, productId: String(productId), variantId: null, poolId, unitsPerItem: 3, syncStock: true });
    const zero = await runCli(["map", "--store", storeId, "--product", String(productId), "--pool", poolId, "--units", "0", "--json"], { env });
    expect(zero.code).toBe(2);
    expect(json(zero).error.code).toBe("mapping_units");
    const archived = json(await runCli(["pool", "create", "--name", "Old", "--json"], { env })).id;
    const db = await import("better-sqlite3");
    const sqlite = new db.default(path.join(dir, "data", "keyrelay.sqlite"));
    sqlite.prepare("update pools set archived_at = ? where id = ?").run(new Date().toISOString(), archived);
    sqlite.close();
    const refused = await runCli(["map", "--store", storeId, "--product", "77", "--pool", archived, "--json"], { env });
    expect(refused.code).toBe(2);
    expect(json(refused).error.code).toBe("mapping_pool_archived");
  });

  it("orders rerun reads an order by its number and allocates it once", async () => {
    const keys = path.join(dir, "keys.txt");
    fs.writeFileSync(keys, "CLI-0001\nCLI-0002\nCLI-0003\nCLI-0004\n");
    expect((await runCli(["keys", "import", "--pool", poolId, keys, "--json"], { env })).code).toBe(0);
    const order = wc.createOrder({ line_items: [{ product_id: productId, quantity: 1 }], status: "processing", billing: { email: "b@example.com" } });
    const r = await runCli(["orders", "rerun", "--store", storeId, "--order", String(order.number ?? order.id), "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ status: "allocated", allocated: 3, backordered: 0 });
    const again = await runCli(["orders", "rerun", "--store", storeId, "--order", String(order.number ?? order.id), "--json"], { env });
    expect(json(again)).toMatchObject({ allocated: 0, backordered: 0, released: 0 });
  });
});
