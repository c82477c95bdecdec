import { describe, expect, it, vi } from "vitest";
import type { AdminUser } from "../db/schema.ts";
import type { Services } from "../ports.ts";
import { adminSessionStorage, requireAdmin, safeNext, SESSION_MAX_AGE_MS } from "./admin-session.ts";

const users = vi.hoisted(() => new Map<string, { disabled: number }>());
vi.mock("../db/repositories/admin-users-repo.ts", () => ({
  getAdminUser: vi.fn(async (_db: unknown, id: string) => {
    const u = users.get(id);
    return u ? ({ id, account_id: "acct-1", email: `${id}@example.com`, disabled: u.disabled } as unknown as AdminUser) : undefined;
  }),
}));

const s = { config: { appUrl: "http://localhost:3000" }, sessionSecret: "s".repeat(40), db: {} } as unknown as Services;
users.set("user-1", { disabled: 0 });
users.set("user-off", { disabled: 1 });

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

describe("requireAdmin session lifetime", () => {
  it("accepts a session issued just now", async () => {
    const cookie = await cookieWith({ userId: "user-1", csrf: "c", issuedAt: Date.now() });
    const ctx = await requireAdmin(s, requestWith(cookie));
    expect(ctx.user.id).toBe("user-1");
    expect(ctx.accountId).toBe("acct-1");
  });

  it("accepts a session just inside 12 hours", async () => {
    const cookie = await cookieWith({ userId: "user-1", csrf: "c", issuedAt: Date.now() - SESSION_MAX_AGE_MS + 60_000 });
    expect((await requireAdmin(s, requestWith(cookie))).user.id).toBe("user-1");
  });

  it.each([
    ["older than 12 hours", { userId: "user-1", csrf: "c", issuedAt: Date.now() - 12 * 3600_000 - 1000 }],
    ["days old", { userId: "user-1", csrf: "c", issuedAt: Date.now() - 30 * 24 * 3600_000 }],
    ["without issuedAt (made before sessions expired)", { userId: "user-1", csrf: "c" }],
    ["with a non-numeric issuedAt", { userId: "user-1", csrf: "c", issuedAt: "yesterday" }],
    ["issued in the future", { userId: "user-1", csrf: "c", issuedAt: Date.now() + 3600_000 }],
    ["for a disabled user", { userId: "user-off", csrf: "c", issuedAt: Date.now() }],
    ["for a user that no longer exists", { userId: "gone", csrf: "c", issuedAt: Date.now() }],
  ])("redirects to /login for a session %s, and clears the cookie", async (_label, data) => {
    const res = await redirectOf(requireAdmin(s, requestWith(await cookieWith(data))));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/admin/keys?pool=7")}`);
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
