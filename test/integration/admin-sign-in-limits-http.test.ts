import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setAdminPassword } from "../../app/.server/use-cases/change-admin-password.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { KeyrelayError } from "../../app/.server/domain/errors.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { redisAvailable } from "../support/services-available.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Passwords and lockout (issue 19, item 3) over the built server: a stranger's failures slow only
 * the stranger; a distributed attack that fills the email's global cap keeps out new browsers but
 * not the owner's known one; every lockout is audited once; weak passwords are refused with the
 * reason, in the admin's language. On SQLite and Postgres, and with the counters in Redis.
 */
const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const LIMITS = {
  TRUST_PROXY: "1",
  LOGIN_MAX_ATTEMPTS: "3",
  // A long first wait: "still waiting" never depends on the machine's speed.
  LOGIN_DELAY_SECONDS: "60",
  LOGIN_EMAIL_MAX_FAILURES: "6",
};

const setups = [
  ...dialects.map(({ dialect, available }) => ({ name: dialect, dialect, redis: false, available })),
  { name: "sqlite, counters in Redis", dialect: "sqlite" as const, redis: true, available: redisAvailable },
];

for (const setup of setups) {
  describe.skipIf(!setup.available)(`sign-in limits and password rules over HTTP (${setup.name})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    beforeAll(async () => {
      s = await makeServices({ dialect: setup.dialect, redis: setup.redis, env: LIMITS });
      http = await startHttp(s);
      await createAdminUser(s, { email: "owner@example.com", password: PASSWORD });
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    const browser = (ip: string) => new AdminBrowser(http.url, { "x-forwarded-for": ip });
    const locks = async () =>
      (await s.db.selectFrom("audit_log").selectAll().where("action", "=", "admin.login_locked").orderBy("id").execute()).map((r) => ({
        ip: r.ip,
        subject: r.subject_type,
        actor: r.actor_type,
        ...JSON.parse(r.details ?? "{}"),
      }));

    it("a stranger cannot lock the owner out; a distributed attack keeps out new browsers, not the owner's known one", async () => {
      // The owner signed in on their laptop once: it is now a known device of the email.
      const laptop = browser("192.0.2.10");
      const first = await laptop.signIn("owner@example.com", PASSWORD);
      expect(first.status).toBe(302);
      const deviceCookie = first.headers.getSetCookie().find((c) => c.startsWith("keyrelay_device="));
      expect(deviceCookie).toMatch(/HttpOnly/i);
      expect(deviceCookie).toMatch(/Path=\/login/);
      expect(deviceCookie).toMatch(/SameSite=Lax/i);
      expect(deviceCookie).not.toContain("owner");

      // A stranger guesses from one address: three failures, then a wait (429, Retry-After).
      const stranger = browser("198.51.100.1");
      for (let i = 0; i < 3; i++) expect((await stranger.signIn("owner@example.com", `guess-number-${i}`)).status).toBe(401);
      const slowed = await stranger.signIn("owner@example.com", PASSWORD);
      expect(slowed.status).toBe(429);
      expect(slowed.headers.get("retry-after")).toBe("60");

      // The owner on a new browser elsewhere is not affected (before, the email was locked for everyone).
      expect((await browser("192.0.2.11").signIn("owner@example.com", PASSWORD)).status).toBe(302);

      // More addresses: the email's global cap (6 here) fills up.
      const second = browser("198.51.100.2");
      for (let i = 0; i < 3; i++) expect((await second.signIn("owner@example.com", `guess-again-${i}`)).status).toBe(401);
      const newBrowser = await browser("192.0.2.12").signIn("owner@example.com", PASSWORD);
      expect(newBrowser.status).toBe(429);
      expect(Number(newBrowser.headers.get("retry-after"))).toBeGreaterThan(3500);
      expect(await newBrowser.text()).toContain("Too many failed sign-ins.");

      // The owner's laptop still gets in, on its usual address or anywhere else.
      expect((await laptop.signIn("owner@example.com", PASSWORD)).status).toBe(302);
      const cafe = new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.5" }, laptop.jar);
      expect((await cafe.signIn("owner@example.com", PASSWORD)).status).toBe(302);

      // Each lockout once, when it began, under the owner's account; no password anywhere.
      expect(await locks()).toEqual([
        { ip: "198.51.100.1", subject: "admin_user", actor: "system", limit: "email_ip", failures: 3, retryAfterSeconds: 60 },
        { ip: "198.51.100.2", subject: "admin_user", actor: "system", limit: "email_ip", failures: 3, retryAfterSeconds: 60 },
        { ip: "198.51.100.2", subject: "admin_user", actor: "system", limit: "email", failures: 6, retryAfterSeconds: expect.any(Number) },
      ]);
      const everything = JSON.stringify(await s.db.selectFrom("audit_log").selectAll().execute());
      expect(everything).not.toContain("guess-");
      expect(everything).not.toContain(PASSWORD);
    });

    it("refuses a weak new password on the password page, saying why in the admin's language", async () => {
      await createAdminUser(s, { email: "staff@example.com", password: PASSWORD, accountName: "Staff" });
      const here = await browser("192.0.2.20").signedIn("staff@example.com", PASSWORD);
      const csrf = await here.csrf();
      for (const [newPassword, en, zh] of [
        ["password1234", "It is close to a commonly used password.", "它和常用密码非常接近。"],
        ["aaaaaaaaaaaa", "Repeated characters like “aaa” are easy to guess.", "像“aaa”这样重复的字符很容易被猜到。"],
        ["staff@example.com!", "It is built from your email address", "它由你的邮箱地址"],
      ]) {
        const fields = { csrf, currentPassword: PASSWORD, newPassword, confirmPassword: newPassword };
        const res = await here.post("/admin/password", fields);
        expect(res.status, newPassword).toBe(400);
        const html = await res.text();
        expect(html).toContain("This password is too easy to guess.");
        expect(html).toContain(en);
        const zhRes = await here.post("/admin/password", fields, { "accept-language": "zh-CN" });
        expect(await zhRes.text()).toContain(`这个密码太容易被猜到。${zh}`);
      }
      expect(await s.db.selectFrom("audit_log").select("id").where("action", "=", "admin.password_changed").execute()).toEqual([]);
      const strong = "violet tundra pickle anchor";
      const ok = await here.post("/admin/password", { csrf, currentPassword: PASSWORD, newPassword: strong, confirmPassword: strong });
      expect(ok.status).toBe(200);
    });

    it("the use-cases behind the CLI refuse weak passwords, naming the field and the reason; nothing changes", async () => {
      const refused = async (p: Promise<unknown>) => {
        const e = await p.then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(KeyrelayError);
        return e as KeyrelayError & { field?: string };
      };
      const create = await refused(createAdminUser(s, { email: "new@example.com", password: "keyrelay-admin", accountName: "New" }));
      expect([create.code, create.field, create.params.warning]).toEqual(["password_weak", "password", "userInputs"]);
      expect(await s.db.selectFrom("admin_users").select("id").where("email", "=", "new@example.com").execute()).toEqual([]);
      const hash = async () => (await s.db.selectFrom("admin_users").select("password_hash").where("email", "=", "owner@example.com").executeTakeFirstOrThrow()).password_hash;
      const before = await hash();
      const set = await refused(setAdminPassword(s, { email: "owner@example.com", password: "owner@example.com" }));
      expect([set.code, set.field, set.params.warning]).toEqual(["password_weak", "newPassword", "userInputs"]);
      expect(await hash()).toBe(before);
      await expect(setAdminPassword(s, { email: "owner@example.com", password: "correct horse battery staple" })).resolves.toMatchObject({ email: "owner@example.com" });
      expect(await hash()).not.toBe(before);
    });
  });
}
