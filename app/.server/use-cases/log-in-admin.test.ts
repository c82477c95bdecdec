import { beforeEach, describe, expect, it, vi } from "vitest";
import { LOGIN_TEST_LIMITS } from "../../../test/support/login-limiter-scenarios.ts";
import { createLoginLimiter } from "../auth/login-limiter.ts";
import type { Config } from "../config.ts";
import type { AdminUser } from "../db/schema.ts";
import { KeyrelayError } from "../domain/errors.ts";
import { logInAdmin, TooManyAttemptsError } from "./log-in-admin.ts";

// A fake database: one admin, and the audit rows it would get.
const OWNER: AdminUser = {
  id: "user-1",
  account_id: "acct-1",
  email: "owner@example.com",
  password_hash: "fake-hash",
  role: "owner",
  locale: null,
  disabled: 0,
  last_login_at: null,
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z",
} as AdminUser;

const audit = vi.hoisted(() => ({ rows: [] as { action: string; accountId: string; details?: Record<string, unknown>; ip?: string | null }[] }));
vi.mock("../db/repositories/admin-users-repo.ts", () => ({
  findAdminByEmail: vi.fn(async (_db: unknown, email: string) => (email === "owner@example.com" ? OWNER : undefined)),
  touchAdminLogin: vi.fn(async () => {}),
}));
// Two-step verification: off unless a test turns it on; a right password then only starts the second step.
const twoFactor = vi.hoisted(() => ({ enabled: false, challenges: 0 }));
vi.mock("../db/repositories/two-factor-repo.ts", () => ({
  twoFactorFacts: vi.fn(async () => ({ required: false, enabled: twoFactor.enabled })),
  insertLoginChallenge: vi.fn(async () => void twoFactor.challenges++),
}));
vi.mock("../db/repositories/audit-repo.ts", () => ({ recordAudit: vi.fn(async (_db: unknown, row: (typeof audit.rows)[number]) => void audit.rows.push(row)) }));

// scrypt stands in as a slow check (the window in which concurrent requests used to slip through).
const verified = vi.hoisted(() => ({ count: 0 }));
vi.mock("../crypto/password.ts", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../crypto/password.ts")>()),
  verifyPassword: async (password: string) => {
    verified.count++;
    await new Promise((r) => setTimeout(r, 30));
    return password === "correct-horse-1";
  },
}));

const RIGHT = "correct-horse-1";

function world() {
  let t = 1_750_000_000_000;
  const config = { redisUrl: undefined, login: LOGIN_TEST_LIMITS } as unknown as Config;
  const warnings: unknown[] = [];
  const s = {
    db: {} as never,
    log: { warn: (o: unknown) => void warnings.push(o) } as never,
    sessionSecret: "a-session-secret-of-at-least-32-characters",
    loginLimiter: createLoginLimiter(config, { now: () => t }),
  };
  return { s, warnings, advance: (seconds: number) => void (t += seconds * 1000) };
}

async function outcome(p: Promise<unknown>): Promise<"ok" | "failed" | "limited"> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof TooManyAttemptsError) {
      expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      return "limited";
    }
    if (e instanceof KeyrelayError && e.code === "login_failed") return "failed";
    throw e;
  }
}

const locked = () => audit.rows.filter((r) => r.action === "admin.login_locked");

describe("logInAdmin and the sign-in limits", () => {
  beforeEach(() => {
    verified.count = 0;
    audit.rows = [];
    twoFactor.enabled = false;
    twoFactor.challenges = 0;
  });

  it("with two-step verification on, a right password starts the second step and does not wipe the streak of failures", async () => {
    const { s } = world();
    twoFactor.enabled = true;
    const ip = "198.51.100.77";
    const free = LOGIN_TEST_LIMITS.maxAttempts;
    for (let i = 0; i < free - 1; i++) expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: `guess-${i}`, ip }))).toBe("failed");
    const r = await logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip });
    expect(r.twoFactorChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(twoFactor.challenges).toBe(1);
    // Not a sign-in: no admin.login; and the count goes on — that attempt was the streak's last free one,
    // so signing in with the password again (to get fresh code guesses) has to wait.
    expect(audit.rows.map((a) => a.action)).not.toContain("admin.login");
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip }))).toBe("limited");
  });

  it("lets at most LOGIN_MAX_ATTEMPTS of 30 concurrent wrong passwords from one IP reach verification", async () => {
    const { s } = world();
    const ip = "198.51.100.1";
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(logInAdmin(s, { email: "owner@example.com", password: `wrong-${i}`, ip }))));
    expect(verified.count).toBe(5);
    expect(results.filter((r) => r === "failed").length).toBe(5);
    expect(results.filter((r) => r === "limited").length).toBe(25);
  });

  it("a stranger failing from IP A does not lock the owner out from IP B", async () => {
    const { s, advance } = world();
    for (let i = 0; i < 12; i++) {
      if (i) advance(900);
      expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: `guess-${i}`, ip: "198.51.100.66" }))).toBe("failed");
    }
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "198.51.100.66" }))).toBe("limited");
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "192.0.2.10" }))).toBe("ok");
  });

  it("after the free failures the wait grows; the right password gets in once it is over", async () => {
    const { s, advance } = world();
    const ip = "192.0.2.20";
    for (let i = 0; i < 6; i++) {
      expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "bad", ip }))).toBe("failed");
      if (i === 4) advance(1);
    }
    let waited: number | undefined;
    await logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip }).catch((e: TooManyAttemptsError) => (waited = e.retryAfterSeconds));
    expect(waited).toBe(2);
    advance(2);
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip }))).toBe("ok");
  });

  it("the owner's known device signs in while a distributed attack holds the email's global cap", async () => {
    const { s } = world();
    // An earlier sign-in on the owner's browser made it a known device of the email.
    const { deviceToken } = await logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "192.0.2.30" });
    for (let i = 0; i < 100; i++) {
      expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: `guess-${i}`, ip: `10.0.${i >> 8}.${i & 255}` }))).toBe("failed");
    }
    // A new browser, even on the owner's usual IP, waits for the window...
    expect(await outcome(logInAdmin(s, { email: "Owner@Example.com", password: RIGHT, ip: "192.0.2.30" }))).toBe("limited");
    // ... the known one does not.
    expect(await outcome(logInAdmin(s, { email: "Owner@Example.com", password: RIGHT, ip: "192.0.2.31", deviceToken }))).toBe("ok");
    expect(locked().map((r) => r.details)).toEqual([{ limit: "email", failures: 100, retryAfterSeconds: 3600 }]);
  });

  it("a device token made for another email, or tampered with, is an unknown device", async () => {
    const { s } = world();
    const other = await logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "192.0.2.40" }).then((r) => r.deviceToken);
    for (let i = 0; i < 100; i++) await outcome(logInAdmin(s, { email: "owner@example.com", password: "x", ip: `10.1.${i >> 8}.${i & 255}` }));
    const [v, id, tag] = other.split(".");
    const tampered = [v, id, tag.slice(0, -1) + (tag.endsWith("A") ? "B" : "A")].join(".");
    const foreign = [v, "A".repeat(22), tag].join(".");
    for (const deviceToken of [tampered, foreign, "garbage"]) {
      expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "192.0.2.40", deviceToken }))).toBe("limited");
    }
  });

  it("keeps the device id across sign-ins and adds each email's tag", async () => {
    const { s } = world();
    const first = (await logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "192.0.2.50" })).deviceToken;
    const again = (await logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "192.0.2.50", deviceToken: first })).deviceToken;
    expect(again).toBe(first);
    expect(first).toMatch(/^v1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(first).not.toContain("owner");
  });

  it("limits one IP spraying many emails; another IP is not affected", async () => {
    const { s } = world();
    const results = await Promise.all(Array.from({ length: 35 }, (_, i) => outcome(logInAdmin(s, { email: `user${i}@example.com`, password: "x", ip: "203.0.113.9" }))));
    expect(results.filter((r) => r === "failed").length).toBe(20);
    expect(results.filter((r) => r === "limited").length).toBe(15);
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "203.0.113.10" }))).toBe("ok");
  });

  it("audits each lockout once, against the account whose email was tried, with the limit and the IP", async () => {
    const { s, warnings, advance } = world();
    for (let i = 0; i < 30; i++) {
      await outcome(logInAdmin(s, { email: "owner@example.com", password: `guess-${i}`, ip: "198.51.100.99" }));
      advance(0.5);
    }
    expect(locked()).toEqual([
      expect.objectContaining({ accountId: "acct-1", ip: "198.51.100.99", details: { limit: "email_ip", failures: 5, retryAfterSeconds: 1 } }),
    ]);
    expect(JSON.stringify(audit.rows)).not.toContain("guess-");
    // An IP lockout that only nobody's emails met: no account to audit it under, the log has it.
    audit.rows = [];
    for (let i = 0; i < 25; i++) await outcome(logInAdmin(s, { email: `nobody${i}@example.com`, password: "x", ip: "198.51.100.100" }));
    expect(locked()).toEqual([]);
    expect(warnings).toContainEqual(expect.objectContaining({ limit: "ip", ip: "198.51.100.100", failures: 20 }));
    expect(JSON.stringify(warnings)).not.toContain("nobody");
  });

  it("refuses a password over 1024 characters as a failed login without hashing it", async () => {
    const { s } = world();
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "x".repeat(1025), ip: "192.0.2.9" }))).toBe("failed");
    expect(verified.count).toBe(0);
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: RIGHT, ip: "192.0.2.9" }))).toBe("ok");
  });
});
