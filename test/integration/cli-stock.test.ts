import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { runCli } from "../support/run-cli.ts";

describe("CLI: stock sync and status", () => {
  let dir: string;
  let env: Record<string, string>;
  let wc: FakeWooCommerce;
  let storeId: string;
  let productId: number;
  let goneId: number;
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    wc = await startFakeWooCommerce();
    productId = wc.createProduct({ name: "Game card" }).id;
    goneId = wc.createProduct({ name: "Old card" }).id;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-stock-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8", APP_URL: "https://keys.example.com" };
    expect((await runCli(["admin", "create", "--email", "owner@example.com", "--password-stdin", "--json"], { env, stdin: "correct-horse-1\n" })).code).toBe(0);
    const poolId = json(await runCli(["pool", "create", "--name", "Cards", "--json"], { env })).id;
    const keys = path.join(dir, "keys.txt");
    fs.writeFileSync(keys, Array.from({ length: 6 }, (_, i) => `CLI-STOCK-${i}`).join("\n") + "\n");
    expect((await runCli(["keys", "import", "--pool", poolId, keys, "--json"], { env })).code).toBe(0);
    const { url, consumerKey, consumerSecret } = wc.connection;
    storeId = json(await runCli(["store", "add-woocommerce", "--url", url, "--consumer-key", consumerKey, "--consumer-secret", consumerSecret, "--no-webhook", "--json"], { env })).id;
    for (const [p, units] of [[productId, "2"], [goneId, "1"]] as const) {
      expect((await runCli(["map", "--store", storeId, "--product", String(p), "--pool", poolId, "--units", units, "--json"], { env })).code).toBe(0);
    }
    wc.deleteProduct(goneId);
  }, 60_000);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await wc?.close();
  });

  it("stock sync sets the host now and reports the broken mapping; stock status says the same", async () => {
    const r = await runCli(["stock", "sync", "--store", storeId, "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(wc.getStock(productId).stock_quantity).toBe(3);
    expect(out.stores[0]).toMatchObject({ storeId, mappings: 2, synced: 1, broken: 1 });
    expect(out.problems[0]).toMatchObject({ product_id: String(goneId), status: "broken" });
    const human = await runCli(["stock", "status"], { env });
    expect(human.stdout).toContain("1 of 2 synced, 0 failing, 1 broken");
    expect(human.stdout).toContain("product not found on WooCommerce");
    const zh = await runCli(["stock", "status", "--locale=zh-CN"], { env });
    expect(zh.stdout).toContain("2 个关联中 1 个已同步");
  });

  it("stock locations: a WooCommerce store has none to choose; --store is required", async () => {
    expect((await runCli(["stock", "locations", "--store", storeId], { env })).stdout).toContain("no location to choose");
    expect((await runCli(["stock", "locations"], { env })).code).toBe(2);
  });
});
