import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { runCli } from "../support/run-cli.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/** The CLI twins of linked stores, as a script runs them: store link-code, store link, store split-off (--json). */
describe("CLI: linked stores", () => {
  let dir: string;
  let env: Record<string, string>;
  let s: TestServices;
  let accountId: string;
  let storeId: string;
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-links-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8" };
    s = await makeServices({ dialect: "sqlite", env });
    accountId = (await createAccount(s.db, { name: "Main" })).id;
    await insertStore(s.db, { accountId, platform: "woocommerce", domain: "https://main.example", name: "Main shop" });
    const other = await createAccount(s.db, { name: "Shopify shop" });
    storeId = (await insertStore(s.db, { accountId: other.id, platform: "shopify", domain: "cli-links.myshopify.com", name: "cli-links" })).id;
  });
  afterAll(async () => {
    await s?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("link-code prints a code and its expiry; link moves the store; a second use is refused; split-off moves it out again", async () => {
    const made = await runCli(["store", "link-code", "--account", accountId, "--json"], { env });
    expect(made.code, made.stderr).toBe(0);
    const { code, expiresAt } = json(made);
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const linked = await runCli(["store", "link", "--code", code, "--store", storeId, "--json"], { env });
    expect(linked.code, linked.stderr).toBe(0);
    expect(json(linked)).toMatchObject({ storeId, accountId, accountName: "Main" });
    expect((await s.db.selectFrom("stores").select("account_id").where("id", "=", storeId).executeTakeFirstOrThrow()).account_id).toBe(accountId);

    const again = await runCli(["store", "link", "--code", code, "--store", storeId, "--json"], { env });
    expect(again.code).toBe(2);
    expect(json(again).error.code).toBe("link_code_invalid");
    const human = await runCli(["store", "link", "--code", "ZZZZZ-ZZZZZ", "--store", storeId], { env });
    expect(human.code).toBe(2);
    expect(human.stderr + human.stdout).toContain("This link code is not valid");

    const split = await runCli(["store", "split-off", "--store", storeId, "--json"], { env });
    expect(split.code, split.stderr).toBe(0);
    expect(json(split)).toMatchObject({ storeId, mappingsRemoved: 0, stockZeroed: 0 });
    expect(json(split).accountId).not.toBe(accountId);
    const missing = await runCli(["store", "link", "--store", storeId, "--json"], { env });
    expect(missing.code).toBe(2);
  });
});
