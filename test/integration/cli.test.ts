import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../app/.server/crypto/password.ts";
import { JOB_NAMES } from "../../app/.server/jobs/job-names.ts";
import { testEnv } from "../support/environment.ts";
import { postgresAvailable } from "../support/services-available.ts";
import { migrations } from "../../db/migrations/index.ts";

const ALL_MIGRATIONS = Object.keys(migrations);

const BIN = path.resolve("bin/keyrelay");
const PASSWORD = "Sesame-Open-密码-7f3a9c";
const STRAY_VARIABLES = ["DATABASE_URL", "REDIS_URL", "SMTP_URL", "PORT", "DEFAULT_LOCALE", "KEYRELAY_MASTER_KEY", "SESSION_SECRET"];

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Every output of every run: the password must never be in any of them. */
const transcripts: string[] = [];

let dataDir: string;

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "warn", LANG: "C.UTF-8" };
  for (const v of STRAY_VARIABLES) delete env[v];
  return { ...env, ...extra };
}

/** Runs bin/keyrelay to completion (killed after `timeoutMs`), stdin fed with `input` then closed. */
function run(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: baseEnv(opts.env), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`keyrelay ${args.join(" ")} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      transcripts.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on("error", () => {}); // the CLI may exit before reading stdin
    child.stdin.end(opts.input ?? "");
  });
}

/** The admin_users row for `email`, read straight from the CLI's SQLite file. */
function adminRow(email: string): { id: string; account_id: string; password_hash: string; role: string } | undefined {
  const db = new Sqlite(path.join(dataDir, "keyrelay.sqlite"), { readonly: true });
  try {
    return db.prepare("select id, account_id, password_hash, role from admin_users where email = ?").get(email) as never;
  } finally {
    db.close();
  }
}

function json(r: RunResult): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-cli-"));
});

afterAll(() => {
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("bin/keyrelay", () => {
  it("with no arguments prints the usage and exits 0", async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: keyrelay <command> [options]");
    expect(r.stdout).toContain("admin create --email E");
    expect(r.stdout).toContain("migrate [--status]");
    expect(r.stdout).toContain("jobs status");
    expect(r.stderr).toBe("");
  });

  it("--help prints the same usage", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: keyrelay <command> [options]");
  });

  it("migrate --json applies the initial schema, then has nothing left to apply", async () => {
    const first = await run(["migrate", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const doc = json(first);
    expect(doc.applied).toEqual(ALL_MIGRATIONS);
    expect(doc.database).toContain(path.join(dataDir, "keyrelay.sqlite"));
    expect(fs.existsSync(path.join(dataDir, "keyrelay.sqlite"))).toBe(true);

    const again = await run(["migrate", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again).applied).toEqual([]);

    const status = await run(["migrate", "--status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const st = json(status);
    expect(st.applied).toContain("0001-initial-schema");
    expect(st.pending).toEqual([]);
  });

  it("migrate --status (human) says what is applied and that nothing is pending", async () => {
    const r = await run(["migrate", "--status"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`Applied: ${Object.keys(migrations).join(", ")}. Pending: none.`);
  });

  it("jobs status --json names the in-process engine and lists every queue", async () => {
    const r = await run(["jobs", "status", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const st = json(r);
    expect(st.engine).toBe("in-process");
    expect(st.queues.map((q: { queue: string }) => q.queue)).toEqual(JOB_NAMES);
    for (const q of st.queues) expect(q).toEqual({ queue: q.queue, pending: 0, running: 0, done: 0, failed: 0 });
    expect(st.oldestPendingRunAt).toBeNull();
    expect(st.recentFailures).toEqual([]);
  });

  it("jobs status (human) in English by default, in Chinese with LANG=zh_CN.UTF-8, --locale overrides", async () => {
    const en = await run(["jobs", "status"]);
    expect(en.code, en.stderr).toBe(0);
    expect(en.stdout.split("\n")[0]).toBe("Jobs (in-process)");
    expect(en.stdout).toContain("queue | pending | running | done | failed");
    expect(en.stdout).toContain("deliver-order | 0 | 0 | 0 | 0");

    const zh = await run(["jobs", "status"], { env: { LANG: "zh_CN.UTF-8" } });
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout.split("\n")[0]).toBe("后台任务（in-process）");
    expect(zh.stdout).toContain("队列 | 排队中 | 运行中 | 已完成 | 失败");

    const forced = await run(["jobs", "status", "--locale=en"], { env: { LANG: "zh_CN.UTF-8" } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout.split("\n")[0]).toBe("Jobs (in-process)");
  });

  it("usage and errors are in Chinese with LANG=zh_CN.UTF-8", async () => {
    const usage = await run([], { env: { LANG: "zh_CN.UTF-8" } });
    expect(usage.code).toBe(0);
    expect(usage.stdout).toContain("用法：keyrelay <命令> [选项]");

    const unknown = await run(["frobnicate"], { env: { LANG: "zh_CN.UTF-8" } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe("keyrelay: 未知命令：frobnicate");
  });

  it("an unknown command exits 2", async () => {
    const human = await run(["frobnicate", "now"]);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe("");
    expect(human.stderr.trim()).toBe("keyrelay: Unknown command: frobnicate now");

    const r = await run(["frobnicate", "--json"]);
    expect(r.code).toBe(2);
    expect(json(r).error).toEqual({ code: "unknownCommand", message: "Unknown command: frobnicate" });
  });

  it("an unknown option exits 2", async () => {
    const r = await run(["jobs", "status", "--bogus", "--json"]);
    expect(r.code).toBe(2);
    const e = json(r).error;
    expect(e.code).toBe("unknownOption");
    expect(e.message).toContain("--bogus");

    const human = await run(["migrate", "--frobnicate"]);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/^keyrelay: Unknown or malformed option: .*--frobnicate/);
  });

  it("a bad configuration value exits 2 with a message naming the variable", async () => {
    const human = await run(["jobs", "status"], { env: { PORT: "abc" } });
    expect(human.code).toBe(2);
    expect(human.stderr).toContain("keyrelay: Configuration error: Invalid configuration:");
    expect(human.stderr).toMatch(/^\s+PORT: /m);

    const r = await run(["jobs", "status", "--json"], { env: { DATABASE_URL: "mysql://db/keys" } });
    expect(r.code).toBe(2);
    const e = json(r).error;
    expect(e.code).toBe("config");
    expect(e.message).toContain("DATABASE_URL: must start with postgres://");
  });
});

describe("bin/keyrelay admin create", () => {
  let owner: { userId: string; accountId: string; email: string; createdAccount: boolean };

  beforeAll(async () => {
    const r = await run(["admin", "create", "--email", "a@b.co", "--password-stdin", "--json"], { input: PASSWORD + "\n" });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    owner = json(r);
  });

  it("creates an owner and a new account, with the password on stdin", () => {
    expect(owner).toEqual({ userId: expect.any(String), accountId: expect.any(String), email: "a@b.co", createdAccount: true });
    expect(owner.userId).not.toBe("");
    expect(owner.accountId).not.toBe("");
    expect(owner.userId).not.toBe(owner.accountId);
  });

  it("stores a hash of the stdin password (trailing newline stripped), role owner", async () => {
    const row = adminRow("a@b.co");
    expect(row).toMatchObject({ id: owner.userId, account_id: owner.accountId, role: "owner" });
    expect(row!.password_hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, row!.password_hash)).toBe(true);
    expect(await verifyPassword(PASSWORD + "\n", row!.password_hash)).toBe(false);
  });

  it("the same email again exits 2 with admin_email_taken", async () => {
    const r = await run(["admin", "create", "--email", "a@b.co", "--password-stdin", "--json"], { input: PASSWORD });
    expect(r.code).toBe(2);
    expect(json(r).error).toEqual({
      code: "admin_email_taken",
      message: "An admin with the email a@b.co already exists.",
      field: "email",
      params: { email: "a@b.co" },
    });
  });

  it("the email is matched case-insensitively", async () => {
    const r = await run(["admin", "create", "--email", "A@B.CO", "--password-stdin", "--json"], { input: PASSWORD });
    expect(r.code).toBe(2);
    expect(json(r).error.code).toBe("admin_email_taken");
  });

  it("a short password exits 2 with password_too_short", async () => {
    const r = await run(["admin", "create", "--email", "short@b.co", "--password-stdin", "--json"], { input: "123456789\n" });
    expect(r.code).toBe(2);
    expect(json(r).error).toEqual({ code: "password_too_short", message: "The password must be at least 12 characters.", field: "password", params: { min: 12 } });
  });

  // One CLI process per test: each starts Node and loads the password dictionaries (seconds on a
  // loaded CI machine), so seven in one test ran past its 30 s.
  it.each([
    ["password1234", "similarToCommon"],
    ["aaaaaaaaaaaa", "simpleRepeat"],
    ["keyrelay-admin", "userInputs"],
    ["weak@b.co.weak@b.co", "userInputs"],
  ])("a weak or common password (%s) exits 2 with password_weak and the reasons; nothing is created", async (password, warning) => {
    const r = await run(["admin", "create", "--email", "weak@b.co", "--password-stdin", "--json"], { input: `${password}\n` });
    expect(r.code, password).toBe(2);
    const { error } = json(r);
    expect(error, password).toMatchObject({ code: "password_weak", field: "password", params: { warning, suggestions: expect.stringContaining("anotherWord") } });
    expect(error.message).toMatch(/^This password is too easy to guess\. /);
    expect(r.stdout + r.stderr).not.toContain(password);
    expect(adminRow("weak@b.co")).toBeUndefined();
  });

  it("without --json a weak password's reason is said in words, in English (LANG=C) or in Chinese", async () => {
    const human = await run(["admin", "create", "--email", "weak@b.co", "--password-stdin"], { input: "aaaaaaaaaaaa\n" });
    expect(human.code).toBe(2);
    expect(human.stderr).toBe(
      "keyrelay: This password is too easy to guess. Repeated characters like “aaa” are easy to guess. Avoid repeated words and characters.\n",
    );
    const zh = await run(["admin", "create", "--email", "weak@b.co", "--password-stdin"], { input: "password1234\n", env: { LANG: "zh_CN.UTF-8" } });
    expect(zh.stderr).toContain("这个密码太容易被猜到。它和常用密码非常接近。");
    expect(adminRow("weak@b.co")).toBeUndefined();
  });

  it("a passphrase is strong enough", async () => {
    const ok = await run(["admin", "create", "--email", "weak@b.co", "--password-stdin", "--json"], { input: "violet tundra pickle anchor\n" });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(adminRow("weak@b.co")).toBeDefined();
  });

  it("a bad email exits 2 with invalid_email", async () => {
    const r = await run(["admin", "create", "--email", "not-an-email", "--password-stdin", "--json"], { input: PASSWORD });
    expect(r.code).toBe(2);
    expect(json(r).error).toEqual({ code: "invalid_email", message: "That is not a valid email address.", field: "email" });
  });

  it("--account <existing id> adds a staff user to that account", async () => {
    const r = await run(["admin", "create", "--email", "staff@b.co", "--account", owner.accountId, "--password-stdin", "--json"], {
      input: PASSWORD,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const staff = json(r);
    expect(staff).toEqual({ userId: expect.any(String), accountId: owner.accountId, email: "staff@b.co", createdAccount: false });
    expect(staff.userId).not.toBe(owner.userId);
    expect(adminRow("staff@b.co")).toMatchObject({ id: staff.userId, account_id: owner.accountId, role: "manager" });
  });

  it("--account nope exits 2 with account_not_found", async () => {
    const r = await run(["admin", "create", "--email", "nobody@b.co", "--account", "nope", "--password-stdin", "--json"], {
      input: PASSWORD,
    });
    expect(r.code).toBe(2);
    expect(json(r).error).toEqual({ code: "account_not_found", message: "No account with id nope.", field: "accountId", params: { id: "nope" } });
    expect(adminRow("nobody@b.co")).toBeUndefined();
  });

  it("without --email exits 2 with missingOption", async () => {
    const r = await run(["admin", "create", "--password-stdin", "--json"], { input: PASSWORD });
    expect(r.code).toBe(2);
    expect(json(r).error).toEqual({ code: "missingOption", message: "Missing required option --email" });
  });

  it("without --password-stdin and no terminal exits 2 with passwordNeeded", async () => {
    const r = await run(["admin", "create", "--email", "notty@b.co", "--json"], { input: PASSWORD });
    expect(r.code).toBe(2);
    expect(json(r).error.code).toBe("passwordNeeded");
    expect(json(r).error.message).toContain("--password-stdin");

    const zh = await run(["admin", "create", "--email", "notty@b.co"], { input: PASSWORD, env: { LANG: "zh_CN.UTF-8" } });
    expect(zh.code).toBe(2);
    expect(zh.stderr.trim()).toBe("keyrelay: 当前没有终端可输入密码：请使用 --password-stdin 通过标准输入传入。");
  });

  it("human output names the admin and the account, in Chinese too", async () => {
    const r = await run(["admin", "create", "--email", "zh@b.co", "--password-stdin"], { input: PASSWORD, env: { LANG: "zh_CN.UTF-8" } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^已创建管理员 zh@b\.co（账户 .+）。$/);
    expect(lines[1]).toBe("已为该管理员创建新账户。请在 http://localhost:3000/login 登录");
  });

  it("never prints the password, and keeps the master key in DATA_DIR with mode 0600", () => {
    expect(transcripts.length).toBeGreaterThan(0);
    for (const t of transcripts) expect(t).not.toContain(PASSWORD);
    const keyFile = path.join(dataDir, "master.key");
    expect(fs.existsSync(keyFile)).toBe(true);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(keyFile, "utf8").trim(), "base64").length).toBe(32);
    expect(fs.statSync(path.join(dataDir, "session.secret")).mode & 0o777).toBe(0o600);
  });
});

describe.skipIf(!postgresAvailable)("bin/keyrelay on Postgres", () => {
  const schema = `t_cli_${crypto.randomBytes(6).toString("hex")}`;
  let databaseUrl: string;

  const query = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: testEnv.postgresUrl });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await query(`create schema ${schema}`);
    const sep = testEnv.postgresUrl.includes("?") ? "&" : "?";
    databaseUrl = `${testEnv.postgresUrl}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  });

  afterAll(async () => {
    await query(`drop schema if exists ${schema} cascade`);
  });

  it("refuses Postgres without the shared secrets, naming them", async () => {
    const r = await run(["migrate", "--json"], { env: { DATABASE_URL: databaseUrl } });
    expect(r.code).toBe(2);
    expect(json(r).error.message).toContain("KEYRELAY_MASTER_KEY");
    expect(json(r).error.message).toContain("SESSION_SECRET");
  });

  it("migrate --json creates the schema in the given search_path; jobs status then works", async () => {
    const secrets = { KEYRELAY_MASTER_KEY: crypto.randomBytes(32).toString("base64"), SESSION_SECRET: crypto.randomBytes(32).toString("base64") };
    const r = await run(["migrate", "--json"], { env: { DATABASE_URL: databaseUrl, ...secrets } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(json(r).applied).toEqual(ALL_MIGRATIONS);

    const tables = await query("select table_name from information_schema.tables where table_schema = $1", [schema]);
    const names = tables.rows.map((row: { table_name: string }) => row.table_name);
    expect(names).toContain("jobs");
    expect(names).toContain("admin_users");

    const status = await run(["migrate", "--status", "--json"], { env: { DATABASE_URL: databaseUrl, ...secrets } });
    expect(status.code, status.stderr).toBe(0);
    expect(json(status)).toMatchObject({ applied: ALL_MIGRATIONS, pending: [] });

    const jobs = await run(["jobs", "status", "--json"], { env: { DATABASE_URL: databaseUrl, ...secrets } });
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(json(jobs).engine).toBe("in-process");
  });
});
