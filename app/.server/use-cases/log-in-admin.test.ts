import { beforeEach, describe, expect, it, vi } from "vitest";
import { createLoginLimiter, IP_LIMIT_FACTOR } from "../auth/login-limiter.ts";
import type { Config } from "../config.ts";
import type { AdminUser } from "../db/schema.ts";
import { KeyrelayError } from "../domain/errors.ts";
import { logInAdmin, TooManyAttemptsError } from "./log-in-admin.ts";

// A fake database: one admin, and nothing written anywhere.
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

vi.mock("../db/repositories/admin-users-repo.ts", () => ({
  findAdminByEmail: vi.fn(async (_db: unknown, email: string) => (email === "owner@example.com" ? OWNER : undefined)),
  touchAdminLogin: vi.fn(async () => {}),
}));
vi.mock("../db/repositories/audit-repo.ts", () => ({ recordAudit: vi.fn(async () => {}) }));

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

const MAX = 5;

function services() {
  const config = { redisUrl: undefined, login: { maxAttempts: MAX, windowSeconds: 900 } } as unknown as Config;
  return { db: {} as never, loginLimiter: createLoginLimiter(config) };
}

async function outcome(p: Promise<unknown>): Promise<"ok" | "failed" | "limited"> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof TooManyAttemptsError) {
      expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(e.retryAfterSeconds).toBeLessThanOrEqual(900);
      return "limited";
    }
    if (e instanceof KeyrelayError && e.code === "login_failed") return "failed";
    throw e;
  }
}

describe("logInAdmin rate limit", () => {
  beforeEach(() => {
    verified.count = 0;
  });

  it("lets at most LOGIN_MAX_ATTEMPTS of 30 concurrent wrong passwords reach verification", async () => {
    const s = services();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => outcome(logInAdmin(s, { email: "owner@example.com", password: `wrong-${i}`, ip: `198.51.100.${i}` }))),
    );
    expect(verified.count).toBeLessThanOrEqual(MAX);
    expect(results.filter((r) => r === "failed").length).toBeLessThanOrEqual(MAX);
    expect(results.filter((r) => r === "limited").length).toBeGreaterThanOrEqual(30 - MAX);
    // Blocked, even with the right password.
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "correct-horse-1", ip: "192.0.2.1" }))).toBe("limited");
  });

  it("limits one IP spraying many emails at IP_LIMIT_FACTOR × the per-email limit, concurrently too", async () => {
    const s = services();
    const n = MAX * IP_LIMIT_FACTOR + 15;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => outcome(logInAdmin(s, { email: `user${i}@example.com`, password: "x", ip: "203.0.113.9" }))),
    );
    expect(results.filter((r) => r === "failed").length).toBe(MAX * IP_LIMIT_FACTOR);
    expect(results.filter((r) => r === "limited").length).toBe(15);
    // Another IP is not affected.
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "correct-horse-1", ip: "203.0.113.10" }))).toBe("ok");
  });

  it("gives the attempts back on success: the email starts over and the IP gets its point back", async () => {
    const s = services();
    const ip = "192.0.2.7";
    for (let i = 0; i < MAX - 1; i++) expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "bad", ip }))).toBe("failed");
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "correct-horse-1", ip }))).toBe("ok");
    for (let i = 0; i < MAX; i++) expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "bad", ip }))).toBe("failed");
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "bad", ip }))).toBe("limited");
    // The IP spent 2 × MAX - 1 failures; the success cost nothing.
    const left = MAX * IP_LIMIT_FACTOR - (2 * MAX - 1);
    for (let i = 0; i < left; i++) expect(await outcome(logInAdmin(s, { email: `other${i}@example.com`, password: "bad", ip }))).toBe("failed");
    expect(await outcome(logInAdmin(s, { email: "someone@example.com", password: "bad", ip }))).toBe("limited");
  });

  it("a blocked IP does not use up the email's attempts", async () => {
    const s = services();
    for (let i = 0; i < MAX * IP_LIMIT_FACTOR; i++) await outcome(logInAdmin(s, { email: `spray${i}@example.com`, password: "x", ip: "203.0.113.50" }));
    for (let i = 0; i < MAX * 2; i++) {
      expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "correct-horse-1", ip: "203.0.113.50" }))).toBe("limited");
    }
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "correct-horse-1", ip: "192.0.2.80" }))).toBe("ok");
  });

  it("refuses a password over 1024 characters as a failed login without hashing it", async () => {
    const s = services();
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "x".repeat(1025), ip: "192.0.2.9" }))).toBe("failed");
    expect(verified.count).toBe(0);
    expect(await outcome(logInAdmin(s, { email: "owner@example.com", password: "correct-horse-1", ip: "192.0.2.9" }))).toBe("ok");
  });
});
