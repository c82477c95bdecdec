import { describe, expect, it, vi } from "vitest";
import { hashSessionId, newSessionId } from "../crypto/admin-session-token.ts";
import type { AdminSession, AdminUser } from "../db/schema.ts";
import type { Services } from "../ports.ts";
import { adminSessionStorage, requireAdmin, safeNext, signedInAdmin } from "./admin-session.ts";

/** The session records the mocked use-case knows: session id → user id. */
const live = vi.hoisted(() => new Map<string, string>());
const resolve = vi.hoisted(() => vi.fn());
vi.mock("../use-cases/resolve-admin-session.ts", () => ({ resolveAdminSession: resolve }));
resolve.mockImplementation(async (_s: unknown, sid: unknown) => {
  const userId = typeof sid === "string" ? live.get(sid) : undefined;
  if (!userId) return undefined;
  return {
    user: { id: userId, account_id: "acct-1", email: `${userId}@example.com`, disabled: 0 } as unknown as AdminUser,
    session: { id: hashSessionId(sid as string), admin_user_id: userId } as unknown as AdminSession,
  };
});

const s = { config: { appUrl: "http://localhost:3000" }, sessionSecret: "s".repeat(40), db: {} } as unknown as Services;
const sid = newSessionId();
live.set(sid, "user-1");

async function cookieWith(data: Record<string, unknown>): Promise<string> {
  const storage = adminSessionStorage(s);
  const session = await storage.getSession();
  for (const [k, v] of Object.entries(data)) session.set(k as never, v as never);
  return (await storage.commitSession(session)).split(";")[0];
}

const requestWith = (cookie: string) => new Request("http://localhost:3000/admin/keys?pool=7", { headers: { cookie } });

async function redirectOf(p: Promise<unknown>): Promise<Response> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
  throw new Error("expected a redirect");
}

describe("requireAdmin", () => {
  it("accepts a cookie whose session record is live, with a CSRF token bound to that session", async () => {
    const ctx = await requireAdmin(s, requestWith(await cookieWith({ sid })));
    expect(ctx.user.id).toBe("user-1");
    expect(ctx.accountId).toBe("acct-1");
    expect(ctx.sessionKey).toBe(hashSessionId(sid));
    expect(ctx.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(() => ctx.checkCsrf(ctx.csrf)).not.toThrow();
    expect(() => ctx.checkCsrf("wrong")).toThrow(/CSRF/);
    expect(() => ctx.checkCsrf(null)).toThrow(/CSRF/);

    const other = newSessionId();
    live.set(other, "user-1");
    const second = await requireAdmin(s, requestWith(await cookieWith({ sid: other })));
    expect(second.csrf).not.toBe(ctx.csrf);
    expect(() => second.checkCsrf(ctx.csrf)).toThrow(/CSRF/);
  });

  it("looks the session up once per request, however many loaders ask", async () => {
    resolve.mockClear();
    const request = requestWith(await cookieWith({ sid }));
    await Promise.all([signedInAdmin(s, request), requireAdmin(s, request), requireAdmin(s, request)]);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["an unknown or ended session", { sid: newSessionId() }],
    ["a cookie of the old format (user id and sign-in time)", { userId: "user-1", csrf: "c", issuedAt: Date.now() }],
    ["a login form's cookie", { loginCsrf: "c" }],
  ])("redirects to /login for %s", async (_label, data) => {
    const res = await redirectOf(requireAdmin(s, requestWith(await cookieWith(data))));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/admin/keys?pool=7")}`);
  });

  it("clears the cookie of a session that no longer works", async () => {
    const res = await redirectOf(requireAdmin(s, requestWith(await cookieWith({ sid: newSessionId() }))));
    expect(res.headers.get("set-cookie")).toMatch(/^keyrelay_admin=;.*Expires=Thu, 01 Jan 1970/i);
  });

  it("redirects without a cookie", async () => {
    const res = await redirectOf(requireAdmin(s, new Request("http://localhost:3000/admin")));
    expect(res.headers.get("location")).toBe("/login?next=%2Fadmin");
  });
});

describe("safeNext", () => {
  it.each([
    ["//evil.com"],
    ["/\\evil.com"],
    ["/\t/evil.com"], // ?next=/%09/evil.com; browsers drop the tab and go to //evil.com
    ["/\n/evil.com"],
    ["/\r\n/evil.com"],
    ["\t//evil.com"],
    ["/\x00/evil"],
    ["/\x7f/evil"],
    ["https://evil.com"],
    ["http://keyrelay.invalid@evil.com/"],
    ["javascript:alert(1)"],
    ["JavaScript:alert(1)"],
    ["data:text/html,<script>alert(1)</script>"],
    ["\\\\evil.com"],
    ["/admin\\..\\..\\evil"],
    ["///evil.com"],
    [""],
    [null],
  ])("refuses %j", (next) => {
    expect(safeNext(next)).toBe("/admin");
  });

  it.each([
    ["/admin", "/admin"],
    ["/admin?x=1", "/admin?x=1"],
    ["/admin/keys?pool=7#top", "/admin/keys?pool=7#top"],
    ["/admin/../admin/keys", "/admin/keys"],
    ["/admin/%2F%2Fevil.com", "/admin/%2F%2Fevil.com"],
    ["/ admin", "/%20admin"],
  ])("keeps %j as %j", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
