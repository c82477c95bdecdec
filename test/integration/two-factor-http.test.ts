import { generateSync } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { freePort } from "../support/free-port.ts";
import { startHttp } from "../support/http-server.ts";
import { runCli } from "../support/run-cli.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Two-step verification and password reset over the built server, with mail through a real SMTP
 * server: enrolment (QR, secret, first code, recovery codes once), sign-in with a TOTP code and
 * with a recovery code (once), a replayed code, guessing codes (429), a pending step that expired,
 * the account's "required for owners" switch, the reset link (twice, expired, another user's,
 * sessions ended, 2FA still asked), the same answer for an unknown email, and the CLI twins.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const NEW_PASSWORD = "Heliotrope-Marzipan-Ferry-5307";
const RESET_LINK = /(http:\/\/[^\s]+\/reset-password\/([A-Za-z0-9_-]{43}))/;
const RECOVERY = /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/g;
/** A TOTP code `steps` time steps from now (the server accepts one step either way). */
const totp = (secret: string, steps = 0) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`two-step verification and password reset over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let smtp: TestSmtpServer;
    let accountId: string;
    let ip = 10;

    beforeAll(async () => {
      smtp = await startSmtpServer();
      const port = await freePort();
      // 3 free failures per email and client, then a wait: what a code guesser meets.
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "3", SMTP_URL: smtp.url, APP_URL: `http://127.0.0.1:${port}` } });
      http = await startHttp(s, port);
      accountId = (await createAdminUser(s, { email: "owner@2fa.example", password: PASSWORD, accountName: "2FA Shop" })).accountId;
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await smtp?.stop();
    });

    const browser = () => new AdminBrowser(http.url, { "x-forwarded-for": `198.51.100.${ip++}` });
    const audits = (action: string) => s.db.selectFrom("audit_log").selectAll().where("action", "=", action).execute();
    const csrfOf = async (res: Response) => /name="csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? "";
    async function newAdmin(email: string) {
      const { userId } = await createAdminUser(s, { email, password: PASSWORD, accountId });
      await s.db.updateTable("admin_users").set({ role: "owner" }).where("id", "=", userId).execute();
      return userId;
    }

    /** Enrols a signed-in browser: start, read the secret from the page, confirm with a code; returns the secret and recovery codes. */
    async function enrol(b: AdminBrowser) {
      const csrf = await b.csrf();
      expect((await b.post("/admin/two-factor.data", { csrf, intent: "start" })).status).toBe(200);
      const page = await b.get("/admin/two-factor");
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toContain("no-store");
      const html = await page.text();
      expect(html).toContain("<svg");
      const secret = /data-testid="totp-secret"[^>]*>([A-Z2-7]{32})</.exec(html)![1];
      const wrong = await b.post("/admin/two-factor.data", { csrf, intent: "confirm", code: totp(secret, 5), password: PASSWORD });
      expect(wrong.status).toBe(400);
      // A session alone cannot bind an authenticator: the right code with a wrong or missing password is refused and turns nothing on.
      for (const [password, refusal] of [["not-the-password", "current_password_wrong"], ["", "current_password_required"]]) {
        const noPassword = await b.post("/admin/two-factor.data", { csrf, intent: "confirm", code: totp(secret), password });
        expect(noPassword.status).toBe(400);
        expect(await noPassword.text()).toContain(refusal);
      }
      expect((await b.get("/admin/two-factor")).status).toBe(200);
      const ok = await b.post("/admin/two-factor.data", { csrf, intent: "confirm", code: totp(secret), password: PASSWORD });
      expect(ok.status).toBe(200);
      const codes = [...new Set((await ok.text()).match(RECOVERY) ?? [])];
      expect(codes).toHaveLength(10);
      return { secret, codes, csrf };
    }

    /** Password, then the code: the final response. */
    async function signInWithCode(b: AdminBrowser, email: string, code: string | ((r: Response) => string), password = PASSWORD) {
      const first = await b.signIn(email, password);
      expect(first.status).toBe(302);
      expect(first.headers.get("location")).toBe("/login/two-factor");
      const form = await b.get("/login/two-factor");
      expect(form.status).toBe(200);
      const csrf = await csrfOf(form);
      return b.post("/login/two-factor", { csrf, code: typeof code === "string" ? code : code(form) });
    }

    it("enrols with a QR code and the secret as text, stores it sealed and the recovery codes hashed, then asks for a code at sign-in", async () => {
      const b = await browser().signedIn("owner@2fa.example", PASSWORD);
      const { secret, codes } = await enrol(b);
      const user = (await s.db.selectFrom("admin_users").select("id").where("email", "=", "owner@2fa.example").executeTakeFirstOrThrow()).id;
      const row = (await s.db.selectFrom("admin_two_factor").selectAll().where("admin_user_id", "=", user).executeTakeFirstOrThrow())!;
      expect(row.enabled_at).not.toBeNull();
      expect(Buffer.from(row.secret_ciphertext).includes(Buffer.from(secret))).toBe(false);
      const stored = await s.db.selectFrom("admin_recovery_codes").selectAll().where("admin_user_id", "=", user).execute();
      expect(stored).toHaveLength(10);
      for (const c of codes) expect(stored.map((r) => r.code_hash).join()).not.toContain(c.replace(/-/g, ""));
      // The page never shows the codes again.
      expect(await (await b.get("/admin/two-factor")).text()).not.toContain(codes[0]);
      expect((await audits("admin.two_factor_enabled")).length).toBe(1);

      // A right password is not a session: the admin stays closed until the code.
      const other = browser();
      const first = await other.signIn("owner@2fa.example", PASSWORD);
      expect(first.headers.get("location")).toBe("/login/two-factor");
      expect(await other.adminStatus()).toBe(302);
      const form = await other.get("/login/two-factor");
      const csrf = await csrfOf(form);
      // The enrolment used this step's code: the next step's.
      const res = await other.post("/login/two-factor", { csrf, code: totp(secret, 1) });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/admin");
      expect(await other.adminStatus()).toBe(200);
      const logins = (await audits("admin.login")).filter((a) => a.actor_id === user);
      expect(logins.some((a) => JSON.parse(a.details ?? "{}").twoFactor === "totp")).toBe(true);

      // The same code again (a replay, another browser, same step): refused.
      const replay = await signInWithCode(browser(), "owner@2fa.example", totp(secret, 1));
      expect(replay.status).toBe(401);
      expect(await replay.text()).toContain("two_factor_code_wrong");
    });

    it("a recovery code signs in once, is audited, and the count goes down", async () => {
      const email = "recovery@2fa.example";
      await newAdmin(email);
      const { codes } = await enrol(await browser().signedIn(email, PASSWORD));
      const ok = await signInWithCode(browser(), email, codes[3].toLowerCase());
      expect(ok.status).toBe(302);
      const used = (await audits("admin.recovery_code_used")).at(-1)!;
      expect(JSON.parse(used.details!)).toEqual({ left: 9 });
      const again = await signInWithCode(browser(), email, codes[3]);
      expect(again.status).toBe(401);
    });

    it("guessing codes is limited (429 with Retry-After) and 5 wrong codes end the step", async () => {
      const email = "guess@2fa.example";
      await newAdmin(email);
      const { secret } = await enrol(await browser().signedIn(email, PASSWORD));
      const b = browser();
      const first = await b.signIn(email, PASSWORD);
      expect(first.headers.get("location")).toBe("/login/two-factor");
      const csrf = await csrfOf(await b.get("/login/two-factor"));
      // The password step counts too (it is not a sign-in until the code): within LOGIN_MAX_ATTEMPTS the guesses stop.
      const statuses: number[] = [];
      for (let i = 0; i < 6 && statuses.at(-1) !== 429; i++) statuses.push((await b.post("/login/two-factor", { csrf, code: String(100000 + i) })).status);
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.filter((x) => x === 401).length).toBeGreaterThanOrEqual(1);
      expect(statuses.filter((x) => x === 401).length).toBeLessThan(3);
      // Even the right code now waits: a guesser gets no more tries than the limit.
      const limited = await b.post("/login/two-factor", { csrf, code: totp(secret, 1) });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await audits("admin.login_failed")).filter((a) => JSON.parse(a.details ?? "{}").step === "two_factor").length).toBeGreaterThanOrEqual(1);
      expect(await b.adminStatus()).toBe(302);
    });

    it("a pending step that expired sends back to the password", async () => {
      const email = "slow@2fa.example";
      const userId = await newAdmin(email);
      const { secret } = await enrol(await browser().signedIn(email, PASSWORD));
      const b = browser();
      await b.signIn(email, PASSWORD);
      const csrf = await csrfOf(await b.get("/login/two-factor"));
      await s.db.updateTable("admin_login_challenges").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where("admin_user_id", "=", userId).execute();
      const res = await b.post("/login/two-factor", { csrf, code: totp(secret, 1) });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/login?notice=two_factor_expired");
      expect(await b.adminStatus()).toBe(302);
      // Without a pending step the code form is not even shown.
      expect((await b.get("/login/two-factor")).headers.get("location")).toBe("/login");
    });

    it("turning it off needs the password and a code; the operator can turn it off from the CLI (audited)", async () => {
      const email = "off@2fa.example";
      await newAdmin(email);
      const b = await browser().signedIn(email, PASSWORD);
      const { secret, csrf } = await enrol(b);
      expect((await b.post("/admin/two-factor.data", { csrf, intent: "disable", password: "wrong-password-here", code: totp(secret, 1) })).status).toBe(400);
      expect((await b.post("/admin/two-factor.data", { csrf, intent: "disable", password: PASSWORD, code: "000000" })).status).toBe(400);
      expect((await b.post("/admin/two-factor.data", { csrf, intent: "disable", password: PASSWORD, code: totp(secret, 1) })).status).toBe(200);
      await browser().signedIn(email, PASSWORD);

      const email2 = "lostphone@2fa.example";
      await newAdmin(email2);
      await enrol(await browser().signedIn(email2, PASSWORD));
      const cli = await runCli(["admin", "two-factor", "--email", email2, "--disable", "--json"], { env: s.env });
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toEqual({ email: email2, wasEnabled: true });
      await browser().signedIn(email2, PASSWORD);
      expect((await audits("admin.two_factor_disabled")).map((a) => a.actor_type)).toEqual(expect.arrayContaining(["admin", "cli"]));
    });

    it("required for owners: an owner without it can reach only the enrolment page until enrolled; the switch needs the owner's own 2FA", async () => {
      const email = "switcher@2fa.example";
      await newAdmin(email);
      const b = await browser().signedIn(email, PASSWORD);
      const csrf = await b.csrf();
      const early = await b.post("/admin/two-factor.data", { csrf, intent: "requireOwners", requireOwners: "on" });
      expect(early.status).toBe(400);
      expect(await early.text()).toContain("two_factor_enable_first");
      await enrol(b);
      expect((await b.post("/admin/two-factor.data", { csrf, intent: "requireOwners", requireOwners: "on" })).status).toBe(200);
      expect((await audits("account.require_owner_2fa")).length).toBe(1);

      const lagging = "lagging@2fa.example";
      await newAdmin(lagging);
      const l = await browser().signedIn(lagging, PASSWORD);
      for (const path of ["/admin", "/admin/pools", "/admin/team", "/admin/sessions"]) {
        const res = await l.get(path);
        expect(res.status, path).toBe(302);
        expect(res.headers.get("location"), path).toBe("/admin/two-factor");
      }
      const page = await l.get("/admin/two-factor");
      expect(page.status).toBe(200);
      const pageHtml = await page.text();
      expect(pageHtml).toContain("requires owners");
      // Held at the enrolment page, the owner cannot lift the requirement for everyone instead of enrolling.
      const lift = await l.post("/admin/two-factor.data", { csrf: /name="csrf" value="([^"]+)"/.exec(pageHtml)?.[1] ?? "", intent: "requireOwners", requireOwners: "off" });
      expect(lift.status).toBe(400);
      expect(await lift.text()).toContain("two_factor_enable_first");
      expect((await s.db.selectFrom("accounts").select("require_owner_2fa").where("id", "=", accountId).executeTakeFirstOrThrow()).require_owner_2fa).toBe(1);
      const { secret, csrf: lcsrf } = await enrol2(l);
      expect((await l.get("/admin")).status).toBe(200);
      // Owners cannot turn it off for themselves while it is required.
      const off = await l.post("/admin/two-factor.data", { csrf: lcsrf, intent: "disable", password: PASSWORD, code: totp(secret, 1) });
      expect(off.status).toBe(400);
      expect(await off.text()).toContain("two_factor_required_for_owners");

      // CLI twin.
      const cli = await runCli(["admin", "require-2fa", "--account", accountId, "off", "--json"], { env: s.env });
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toEqual({ accountId, requireOwner2fa: false });
      expect((await s.db.selectFrom("accounts").select("require_owner_2fa").where("id", "=", accountId).executeTakeFirstOrThrow()).require_owner_2fa).toBe(0);
    });

    /** Enrolment from the page the redirect lands on (csrf read from that page). */
    async function enrol2(b: AdminBrowser) {
      const csrf = await csrfOf(await b.get("/admin/two-factor"));
      expect((await b.post("/admin/two-factor.data", { csrf, intent: "start" })).status).toBe(200);
      const html = await (await b.get("/admin/two-factor")).text();
      const secret = /data-testid="totp-secret"[^>]*>([A-Z2-7]{32})</.exec(html)![1];
      expect((await b.post("/admin/two-factor.data", { csrf, intent: "confirm", code: totp(secret), password: PASSWORD })).status).toBe(200);
      return { secret, csrf };
    }

    /** Asks for a reset link; returns the response and its body. */
    async function forgot(email: string, b = browser()) {
      const csrf = await csrfOf(await b.get("/forgot-password"));
      const res = await b.post("/forgot-password", { csrf, email });
      return { res, body: (await res.text()).replaceAll(csrf, "CSRF") };
    }
    async function resetLinkFor(to: string, nth = 1) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const mails = smtp.received.filter((m) => m.envelope.to.includes(to));
        if (mails.length >= nth) return new URL(RESET_LINK.exec(mails[nth - 1].parsed.text ?? "")![1]).pathname;
        if (Date.now() > deadline) throw new Error(`no reset email #${nth} to ${to}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    async function reset(path: string, password = NEW_PASSWORD, b = browser()) {
      const page = await b.get(path);
      // A refused link shows no form: post as a tab opened before would (the browser's form token).
      const csrf = (await csrfOf(page.clone())) || (await csrfOf(await b.get("/forgot-password")));
      return { page, res: await b.post(path, { csrf, password, confirm: password }) };
    }

    it("password reset: the same answer for an unknown email; the link works once, ends every session, and sign-in still asks for the code", async () => {
      const known = await forgot("owner@2fa.example");
      const unknown = await forgot("nobody@2fa.example");
      expect(known.res.status).toBe(200);
      expect(unknown.res.status).toBe(200);
      // Byte for byte, but for the per-response CSP nonce.
      const same = (html: string) => html.replace(/nonce="[^"]+"/g, "");
      expect(same(unknown.body)).toBe(same(known.body));
      const path = await resetLinkFor("owner@2fa.example");
      expect(smtp.received.some((m) => m.envelope.to.includes("nobody@2fa.example"))).toBe(false);
      const stored = await s.db.selectFrom("password_resets").selectAll().execute();
      expect(stored.map((r) => r.token_hash).join()).not.toContain(path.split("/").pop()!);

      // A signed-in session of that owner (password + code) ends with the reset.
      const owner = (await s.db.selectFrom("admin_users").select("id").where("email", "=", "owner@2fa.example").executeTakeFirstOrThrow()).id;
      const live = await s.db.selectFrom("admin_sessions").select("id").where("admin_user_id", "=", owner).where("revoked_at", "is", null).execute();
      expect(live.length).toBeGreaterThan(0);

      const weak = await reset(path, "password1234");
      expect(weak.page.status).toBe(200);
      expect(weak.page.headers.get("referrer-policy")).toBe("no-referrer");
      expect(weak.res.status).toBe(400);
      const ok = await reset(path);
      expect(ok.res.status).toBe(302);
      expect(ok.res.headers.get("location")).toBe("/login?notice=passwordReset");
      expect(await s.db.selectFrom("admin_sessions").select("id").where("admin_user_id", "=", owner).where("revoked_at", "is", null).execute()).toEqual([]);
      expect(JSON.parse((await audits("admin.password_reset")).at(-1)!.details!).sessionsEnded).toBe(live.length);

      // Used twice: refused.
      const twice = await reset(path, "Another-Fine-Passphrase-99");
      expect(twice.page.status).toBe(410);
      expect(await twice.page.text()).toContain("already been used");
      expect(twice.res.status).toBe(410);
      // The new password works — and still only with the code.
      const after = await browser().signIn("owner@2fa.example", NEW_PASSWORD);
      expect(after.headers.get("location")).toBe("/login/two-factor");
      expect((await browser().signIn("owner@2fa.example", PASSWORD)).status).toBe(401);
    });

    it("an expired link and a made-up one are refused; a link resets only its own admin", async () => {
      await forgot("recovery@2fa.example");
      const path = await resetLinkFor("recovery@2fa.example");
      await s.db.updateTable("password_resets").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where("used_at", "is", null).execute();
      const expired = await reset(path);
      expect(expired.page.status).toBe(410);
      expect(await expired.page.text()).toContain("expired");
      expect((await reset("/reset-password/" + "A".repeat(43))).page.status).toBe(404);
      const reasons = (await audits("admin.password_reset_refused")).map((a) => JSON.parse(a.details!).reason);
      expect(reasons).toEqual(expect.arrayContaining(["reset_link_used", "reset_link_expired"]));

      await forgot("guess@2fa.example");
      const guessPath = await resetLinkFor("guess@2fa.example");
      const before = await s.db.selectFrom("admin_users").select(["email", "password_hash"]).execute();
      expect((await reset(guessPath)).res.status).toBe(302);
      const after = await s.db.selectFrom("admin_users").select(["email", "password_hash"]).execute();
      for (const u of after) {
        const was = before.find((x) => x.email === u.email)!;
        expect(u.password_hash !== was.password_hash, u.email).toBe(u.email === "guess@2fa.example");
      }
    });

    it("reset requests are limited per email (429), known or not, with the same answer", async () => {
      const b = browser();
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 4; i++) known.push((await forgot("off@2fa.example", b)).res.status);
      for (let i = 0; i < 4; i++) unknown.push((await forgot("ghost@2fa.example", browser())).res.status);
      expect(known).toEqual([200, 200, 200, 429]);
      expect(unknown).toEqual([200, 200, 200, 429]);
    });
  });
}
