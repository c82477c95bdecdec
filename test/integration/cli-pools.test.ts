import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.ts";

describe("CLI: pools and keys", () => {
  let dir: string;
  let env: Record<string, string>;
  let poolId: string;
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-pools-"));
    env = { DATA_DIR: path.join(dir, "data"), LANG: "en_US.UTF-8" };
    const admin = await runCli(["admin", "create", "--email", "owner@example.com", "--password-stdin", "--json"], { env, stdin: "correct-horse-1\n" });
    expect(admin.code, admin.stderr).toBe(0);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("pool create prints the id; pool list and pool show find it", async () => {
    const r = await runCli(["pool", "create", "--name", "Steam $20", "--low-stock", "2", "--cost", "17.50", "--currency", "usd", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    poolId = json(r).id;
    expect(poolId).toMatch(/^[0-9a-f-]{36}$/);
    const list = await runCli(["pool", "list", "--json"], { env });
    expect(json(list).pools).toEqual([expect.objectContaining({ id: poolId, name: "Steam $20", counts: expect.objectContaining({ available: 0 }) })]);
    const show = await runCli(["pool", "show", poolId, "--json"], { env });
    expect(json(show).pool).toMatchObject({ id: poolId, currency: "USD", refundPolicy: "revoke" });
  });

  it("rejects bad pool input with exit 2 and the field's message", async () => {
    const r = await runCli(["pool", "create", "--name", "X", "--low-stock=-3", "--json"], { env });
    expect(r.code).toBe(2);
    expect(json(r).error.code).toBe("pool_low_stock");
    const missing = await runCli(["pool", "create"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--name");
  });

  it("keys import: dry run, then the real import; a second run finds everything in stock", async () => {
    const file = path.join(dir, "cards.csv");
    fs.writeFileSync(file, "Serial,PIN\r\nCARD-0001,1111\r\nCARD-0002,2222\r\nCARD-0001,1111\r\n,3333\r\n");
    const dry = await runCli(["keys", "import", "--pool", poolId, file, "--map", "code=Serial,pin=PIN", "--dry-run", "--json"], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(json(dry)).toMatchObject({ dryRun: true, added: 2, duplicates: { inFile: 1, inFileLines: [4] }, invalid: { count: 1, lines: [{ line: 5, reason: "empty_code" }] } });
    const real = await runCli(["keys", "import", "--pool", poolId, file, "--map", "code=Serial,pin=PIN", "--supplier", "Acme"], { env });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain("Imported 2 keys");
    expect(real.stdout).toContain("line 5: no code");
    const again = await runCli(["keys", "import", "--pool", poolId, file, "--map", "code=Serial,pin=PIN", "--json"], { env });
    expect(json(again)).toMatchObject({ added: 0, batchId: null, duplicates: { inStock: 3 } });
  });

  it("keys import reads GB18030 and speaks Chinese on a Chinese terminal", async () => {
    const file = path.join(dir, "gb.txt");
    fs.writeFileSync(file, iconv.encode("礼品卡-甲\n礼品卡-乙\n", "gb18030"));
    const r = await runCli(["keys", "import", "--pool", poolId, file], { env: { ...env, LANG: "zh_CN.UTF-8" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("已导入 2 个卡密（gb18030");
  });

  it("keys import refuses a missing file, a bad map and an empty file, changing nothing", async () => {
    expect((await runCli(["keys", "import", "--pool", poolId, path.join(dir, "nope.csv")], { env })).code).toBe(2);
    expect((await runCli(["keys", "import", "--pool", poolId, path.join(dir, "cards.csv"), "--map", "code"], { env })).code).toBe(2);
    const empty = path.join(dir, "empty.txt");
    fs.writeFileSync(empty, "\n\n");
    const r = await runCli(["keys", "import", "--pool", poolId, empty, "--json"], { env });
    expect(r.code).toBe(2);
    expect(json(r).error.code).toBe("empty_file");
    const list = await runCli(["pool", "list", "--json"], { env });
    expect(json(list).pools[0].counts.available).toBe(4);
  });

  it("keys export writes a 0600 CSV: masked by default, plaintext when asked", async () => {
    const masked = path.join(dir, "masked.csv");
    const r = await runCli(["keys", "export", "--pool", poolId, "--out", masked, "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ keys: 4, plaintext: false });
    const text = fs.readFileSync(masked, "utf8");
    expect(text).not.toContain("CARD-0001");
    expect(text).toContain("CA…01");
    const plain = path.join(dir, "plain.csv");
    await runCli(["keys", "export", "--pool", poolId, "--out", plain, "--plaintext"], { env });
    expect(fs.readFileSync(plain, "utf8")).toContain("CARD-0001,1111");
    expect(fs.statSync(plain).mode & 0o777).toBe(0o600);
  });
});
