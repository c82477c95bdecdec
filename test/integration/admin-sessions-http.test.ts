import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSessionStorage, SESSION_MAX_AGE_MS } from "../../app/.server/auth/admin-session.ts";
import { hashSessionId } from "../../app/.server/crypto/admin-session-token.ts";
import { createAdminSession } from "../../app/.server/use-cases/create-admin-session.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { removeAdminUser } from "../../app/.server/use-cases/remove-admin-user.ts";
import { setAdminPassword } from "../../app/.server/use-cases/change-admin-password.ts";
import { AdminBrowser, FIREFOX_UA } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Sessions are server-side records: signing out, a password change (page or CLI), removing the
 * admin and "sign out everywhere" end every copy of a cookie at once; the 12 hours count from
 * sign-in. Over the built server, on each database.
 */

// Strong enough for any password policy: these tests are about sessions, not strength.
const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const NEW_PASSWORD = "Heliotrope-Marzipan-Ferry-5307";

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`admin sessions over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let accountA: string;
    beforeAll(async () => {
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1" } });
      http = await startHttp(s);
      accountA = (await createAdminUser(s, { email: "owner@example.com", password: PASSWORD, accountName: "Shop A" })).accountId;
      for (const email of ["logout@example.com", "colleague@example.com", "everywhere@example.com", "cli@example.com", "pages@example.com"]) {
        await createAdminUser(s, { email, password: PASSWORD, accountId: accountA });
      }
      await createAdminUser(s, { email: "stranger@example.com", password: PASSWORD, accountName: "Shop B" });
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    const browser = (ip = "203.0.113.10", ua?: string) => new AdminBrowser(http.url, { "x-forwarded-for": ip, ...(ua ? { "user-agent": ua } : {}) });
    const signIn = (email: string, password = PASSWORD, ip?: string, ua?: string) => browser(ip, ua).signedIn(email, password);
    const userId = async (email: string) => (await s.db.selectFrom("admin_users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
    const sessionIds = async (email: string) =>
      (await s.db.selectFrom("admin_sessions").select("id").where("admin_user_id", "=", await userId(email)).where("revoked_at", "is", null).execute()).map((r) => r.id);
    const audits = async (action: string) => s.db.selectFrom("audit_log").selectAll().where("action", "=", action).execute();

    it("a cookie copied before sign-out is sent to /login after it, for pages and actions alike", async () => {
      const b = await signIn("logout@example.com");
      const stolen = b.copy();
      expect(await stolen.adminStatus()).toBe(200);
      const csrf = await b.csrf();
      const out = await b.post("/logout", { csrf });
      expect(out.status).toBe(302);
      expect(out.headers.get("location")).toBe("/login?signedOut=1");
      expect(await b.adminStatus()).toBe(302);
      expect(await stolen.adminStatus()).toBe(302);
      // The copy cannot act either, even with the right CSRF token.
      const act = await stolen.post("/admin/sessions", { csrf, intent: "endAll" });
      expect(act.status).toBe(302);
      expect(act.headers.get("location")).toMatch(/^\/login\?next=/);
      expect((await audits("admin.logout")).length).toBe(1);
    });

    it("changing the password on the page ends every other session and keeps this one; bad input changes nothing", async () => {
      const here = await signIn("owner@example.com");
      const elsewhere = await signIn("owner@example.com", PASSWORD, "198.51.100.20", FIREFOX_UA);
      const stolen = elsewhere.copy();
      const csrf = await here.csrf();

      const wrong = await here.post("/admin/password", { csrf, currentPassword: "not-the-password-1", newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain("The current password is wrong.");
      const mismatch = await here.post("/admin/password", { csrf, currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}x` });
      expect(mismatch.status).toBe(400);
      expect(await mismatch.text()).toContain("The two new passwords do not match.");
      // The field's message is in the admin's language.
      const zh = await here.post("/admin/password", { csrf, currentPassword: "not-the-password-2", newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }, { "accept-language": "zh-CN" });
      expect(zh.status).toBe(400);
      expect(await zh.text()).toContain("当前密码不正确。");
      const noCsrf = await here.post("/admin/password", { csrf: "wrong", currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      expect(noCsrf.status).toBe(403);
      expect(await elsewhere.adminStatus()).toBe(200);
      expect((await audits("admin.password_changed")).length).toBe(0);

      const ok = await here.post("/admin/password", { csrf, currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("Your password has been changed. 1 other session was signed out.");
      expect(await here.adminStatus()).toBe(200);
      expect(await elsewhere.adminStatus()).toBe(302);
      expect(await stolen.adminStatus()).toBe(302);
      expect((await browser().signIn("owner@example.com", PASSWORD)).status).toBe(401);
      await signIn("owner@example.com", NEW_PASSWORD);
      const [audit] = await audits("admin.password_changed");
      expect(JSON.parse(audit.details ?? "{}")).toMatchObject({ sessionsEnded: 1 });
      expect(audit.actor_id).toBe(await userId("owner@example.com"));
    });

    it("a password set from the server (the CLI's use-case) ends every session", async () => {
      const a = await signIn("cli@example.com");
      const b = await signIn("cli@example.com");
      expect(await setAdminPassword(s, { email: "cli@example.com", password: NEW_PASSWORD })).toMatchObject({ sessionsEnded: 2 });
      expect(await a.adminStatus()).toBe(302);
      expect(await b.adminStatus()).toBe(302);
    });

    it("removing an admin ends their sessions at once; the account's last admin is refused and keeps working", async () => {
      const c = await signIn("colleague@example.com");
      const stolen = c.copy();
      expect(await removeAdminUser(s, "colleague@example.com")).toMatchObject({ sessionsEnded: 1 });
      expect(await c.adminStatus()).toBe(302);
      expect(await stolen.adminStatus()).toBe(302);
      expect((await browser().signIn("colleague@example.com", PASSWORD)).status).toBe(401);

      const x = await signIn("stranger@example.com");
      await expect(removeAdminUser(s, "stranger@example.com")).rejects.toMatchObject({ code: "admin_last_of_account" });
      expect(await x.adminStatus()).toBe(200);
    });

    it("'sign out everywhere else' keeps this browser; 'sign out everywhere' signs this one out too", async () => {
      const here = await signIn("everywhere@example.com");
      const others = [await signIn("everywhere@example.com"), await signIn("everywhere@example.com")];
      const csrf = await here.csrf();
      const rest = await here.post("/admin/sessions", { csrf, intent: "endOthers" });
      expect(rest.status).toBe(200);
      expect(await rest.text()).toContain("Signed out of 2 other sessions.");
      expect(await here.adminStatus()).toBe(200);
      for (const o of others) expect(await o.adminStatus()).toBe(302);

      const another = await signIn("everywhere@example.com");
      const copy = here.copy();
      const all = await here.post("/admin/sessions", { csrf, intent: "endAll" });
      expect(all.status).toBe(302);
      expect(all.headers.get("location")).toBe("/login?signedOut=1");
      expect(all.headers.getSetCookie().join("\n")).toMatch(/keyrelay_admin=;/);
      expect(await copy.adminStatus()).toBe(302);
      expect(await another.adminStatus()).toBe(302);
      expect(await sessionIds("everywhere@example.com")).toEqual([]);
      const audited = (await audits("admin.sessions_ended")).map((a) => JSON.parse(a.details ?? "{}"));
      expect(audited).toEqual([
        { scope: "others", ended: 2 },
        { scope: "all", ended: 2 },
      ]);
    });

    it("ending another user's or another account's session is 404 and changes nothing; one's own other session ends", async () => {
      const mine = await signIn("pages@example.com");
      const mySecond = await signIn("pages@example.com");
      const colleague = await signIn("logout@example.com");
      const stranger = await signIn("stranger@example.com");
      const csrf = await mine.csrf();
      for (const id of [...(await sessionIds("logout@example.com")), ...(await sessionIds("stranger@example.com")), "0".repeat(64), ""]) {
        const res = await mine.post("/admin/sessions", { csrf, intent: "end", sessionId: id });
        expect(res.status).toBe(404);
        expect(await res.text()).toContain("There is no such session");
      }
      expect(await colleague.adminStatus()).toBe(200);
      expect(await stranger.adminStatus()).toBe(200);
      expect((await audits("admin.session_ended")).length).toBe(0);

      const [current] = await s.db.selectFrom("admin_sessions").select("id").where("admin_user_id", "=", await userId("pages@example.com")).orderBy("created_at").limit(1).execute();
      const second = (await sessionIds("pages@example.com")).find((id) => id !== current.id)!;
      const ended = await mine.post("/admin/sessions", { csrf, intent: "end", sessionId: second });
      expect(ended.status).toBe(200);
      expect(await mySecond.adminStatus()).toBe(302);
      expect(await mine.adminStatus()).toBe(200);
      // Already ended: 404 again, and no second audit row.
      expect((await mine.post("/admin/sessions", { csrf, intent: "end", sessionId: second })).status).toBe(404);
      expect((await audits("admin.session_ended")).length).toBe(1);
    });

    it("lists this user's sessions with device, IP and 'this device', pages of 50, and never another user's", async () => {
      const here = await signIn("stranger@example.com", PASSWORD, "192.0.2.77");
      await signIn("stranger@example.com", PASSWORD, "192.0.2.78", FIREFOX_UA);
      const page = await here.get("/admin/sessions");
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain("Chrome 142 · Linux");
      expect(html).toContain("Firefox 133 · Windows");
      expect(html).toContain("192.0.2.77");
      expect(html).toContain("192.0.2.78");
      expect(html).toContain("This device");
      const zh = await here.get("/admin/sessions", { "accept-language": "zh-CN" });
      const zhHtml = await zh.text();
      expect(zhHtml).toContain("当前设备");
      expect(zhHtml).toContain("退出所有设备");

      const strangerId = await userId("stranger@example.com");
      const { accountId } = await s.db.selectFrom("admin_users").select("account_id as accountId").where("id", "=", strangerId).executeTakeFirstOrThrow();
      for (let i = 0; i < 55; i++) await createAdminSession(s, { userId: strangerId, accountId, userAgent: "curl/8.5.0", ip: `10.0.0.${i}` });
      const live = (await sessionIds("stranger@example.com")).length;
      const rowsOf = (html: string) => html.match(/name="sessionId"/g)?.length ?? 0; // every row but this device's has a sign-out form
      const first = await (await here.get("/admin/sessions")).text();
      expect(first).toContain("This device");
      expect(rowsOf(first)).toBe(49);
      expect(first).toContain(`${live} active sessions`);
      expect(first).toContain("page=2");
      const second = await (await here.get("/admin/sessions?page=2")).text();
      expect(second).not.toContain("This device");
      expect(rowsOf(second)).toBe(live - 50);
      expect(second).toContain("Firefox 133 · Windows"); // seen before the 55 newer ones
    });

    it("ends a session 12 hours after sign-in however recently it was used, and does not list it", async () => {
      const id = await userId("pages@example.com");
      const at = (msAgo: number) => createAdminSession(s, { userId: id, accountId: accountA, userAgent: "old-device/1", ip: null }, new Date(Date.now() - msAgo));
      const inside = await at(SESSION_MAX_AGE_MS - 60_000);
      const outside = await at(SESSION_MAX_AGE_MS + 1000);
      const cookieOf = async (sid: string) => {
        const storage = adminSessionStorage(s);
        const session = await storage.getSession();
        session.set("sid", sid);
        return new Map([["keyrelay_admin", (await storage.commitSession(session)).split(";")[0].split("=").slice(1).join("=")]]);
      };
      const fresh = new AdminBrowser(http.url, {}, await cookieOf(inside.sessionId));
      const stale = new AdminBrowser(http.url, {}, await cookieOf(outside.sessionId));
      await s.db.updateTable("admin_sessions").set({ last_seen_at: new Date().toISOString() }).where("id", "=", hashSessionId(outside.sessionId)).execute();
      expect(await fresh.adminStatus()).toBe(200);
      expect(await stale.adminStatus()).toBe(302);
      const listed = await (await fresh.get("/admin/sessions")).text();
      expect(listed).toContain("This device");
      expect(listed).not.toContain(hashSessionId(outside.sessionId));
    });
  });
}
