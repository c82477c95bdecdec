import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.ts";

describe("CLI: risk rules and lists", () => {
  let dir: string;
  let env: Record<string, string>;
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-risk-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8", APP_URL: "https://keys.example.com" };
    expect((await runCli(["admin", "create", "--email", "owner@example.com", "--password-stdin", "--json"], { env, stdin: "correct-horse-1\n" })).code).toBe(0);
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("rules list shows the defaults; add and remove move the version; a bad condition exits 2 naming the token and saves nothing", async () => {
    const start = json(await runCli(["risk", "rules", "list", "--json"], { env }));
    expect(start.version).toBe(1);
    expect(start.rules).toHaveLength(6);

    const bad = await runCli(["risk", "rules", "add", "--when", "ip_country = XX and keys > 1", "--then", "review", "--json"], { env });
    expect(bad.code).toBe(2);
    expect(json(bad).error).toMatchObject({ code: "risk_condition_bad_country", field: "when", params: { token: "XX", column: 14 } });
    expect(json(bad).error.message).toBe("“XX” at column 14 is not a two-letter country code (ISO 3166-1, like US or CN)");
    const zh = await runCli(["risk", "rules", "add", "--when", "emial = a@b.com", "--then", "review", "--locale=zh-CN"], { env });
    expect(zh.code).toBe(2);
    expect(zh.stderr).toContain("第 1 列的属性“emial”不存在");
    expect(json(await runCli(["risk", "rules", "list", "--json"], { env })).version).toBe(1);

    const added = await runCli(["risk", "rules", "add", "--when", "keys_per_ip_1h > 5", "--then", "block", "--name", "IP burst", "--shadow", "--json"], { env });
    expect(added.code, added.stderr).toBe(0);
    const rule = json(added).rule;
    expect(json(added).version).toBe(2);
    expect(rule).toMatchObject({ name: "IP burst", when: "keys_per_ip_1h > 5", then: "block", shadow: true });
    const human = await runCli(["risk", "rules", "list"], { env });
    expect(human.stdout).toContain(`${rule.id}  block (shadow)  when keys_per_ip_1h > 5  (IP burst)`);
    const removed = await runCli(["risk", "rules", "remove", rule.id, "--json"], { env });
    expect(json(removed)).toMatchObject({ id: rule.id, version: 3 });
    expect((await runCli(["risk", "rules", "remove", rule.id, "--json"], { env })).code).toBe(2);
  });

  it("rules test back-tests a condition; --help documents the language", async () => {
    const r = await runCli(["risk", "rules", "test", "--when", "keys > 0", "--days", "7", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ when: "keys > 0", days: 7, orders: 0, matched: { orders: 0, keys: 0, money: [] }, examples: [] });
    const help = await runCli(["risk", "rules", "add", "--help"], { env });
    expect(help.stdout).toContain("keys_per_ip_1h > 5");
    expect(help.stdout).toContain("billing_country");
  });

  it("list add takes every kind with an optional expiry, refuses a bad CIDR or kind", async () => {
    for (const [kind, value] of [["email", "Bad@X.com"], ["domain", "mailinator.com"], ["ip", "203.0.113.0/24"], ["country", "kp"], ["customer", "42"], ["card", "424242*4242"]]) {
      const r = await runCli(["risk", "list", "add", "--kind", kind, "--value", value, "--action", "block", "--expires-in", "7d", "--json"], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(json(r).entry).toMatchObject({ kind, action: "block" });
    }
    expect(json(await runCli(["risk", "list", "add", "--kind", "email", "--value", "vip@x.com", "--action", "allow", "--json"], { env })).entry.expiresAt).toBeNull();
    const badCidr = await runCli(["risk", "list", "add", "--kind", "ip", "--value", "10.0.0.0/99", "--action", "block", "--json"], { env });
    expect(badCidr.code).toBe(2);
    expect(json(badCidr).error).toMatchObject({ code: "risk_list_bad_cidr", field: "value" });
    const badCard = await runCli(["risk", "list", "add", "--kind", "card", "--value", "4242424242424242", "--action", "block", "--json"], { env });
    expect(badCard.code).toBe(2);
    expect(json(badCard).error).toMatchObject({ code: "risk_list_bad_card", field: "value" });
    expect((await runCli(["risk", "list", "add", "--kind", "bin", "--value", "1", "--action", "block", "--json"], { env })).code).toBe(2);
    const shown = json(await runCli(["risk", "list", "show", "--json"], { env }));
    expect(shown.entries.map((e: { kind: string; value: string }) => `${e.kind}:${e.value}`)).toEqual(["card:424242…4242", "country:KP", "customer:42", "domain:mailinator.com", "email:bad@x.com", "email:vip@x.com", "ip:203.0.113.0/24"]);
  });

  it("review list is empty with no held order; approve / deny of an order that is not held exit 2 and change nothing", async () => {
    expect(json(await runCli(["risk", "review", "list", "--json"], { env })).orders).toEqual([]);
    for (const verb of ["approve", "deny"]) {
      const r = await runCli(["risk", "review", verb, "no-such-order", "--reason", "test", "--json"], { env });
      expect(r.code).toBe(2);
      expect(json(r).error).toMatchObject({ code: "risk_order_not_held", field: "orderId", params: { id: "no-such-order" } });
    }
    expect((await runCli(["risk", "review", "approve", "--json"], { env })).code).toBe(2);
    // The host options are understood (and change nothing for an order that is not held).
    const refund = await runCli(["risk", "review", "deny", "no-such-order", "--refund", "--restock", "--json"], { env });
    expect(json(refund).error).toMatchObject({ code: "risk_order_not_held" });
    const help = await runCli(["--help"], { env });
    expect(help.stdout).toContain("risk review deny ORDER_ID [--reason R] [--cancel] [--refund] [--restock]");
  });
});
