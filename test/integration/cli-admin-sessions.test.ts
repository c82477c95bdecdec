import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { runCli } from "../support/run-cli.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The CLI twins of the sessions and password pages, run as a separate process against the
 * database a live web server uses: what they end, the web sessions feel on their next request.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const NEW_PASSWORD = "Heliotrope-Marzipan-Ferry-5307";

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`CLI: admin password, remove, sessions, sign-out (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    const outputs: string[] = [];
    const cli = async (args: string[], stdin?: string) => {
      const r = await runCli(args, { env: { ...s.env, LOG_LEVEL: "warn", LANG: "en_US.UTF-8" }, stdin });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    const json = (r: { stdout: string; stderr: string }) => {
      try {
        return JSON.parse(r.stdout);
      } catch {
        throw new Error(`not JSON:\n${r.stdout}\n${r.stderr}`);
      }
    };

    beforeAll(async () => {
      s = await makeServices({ dialect });
      http = await startHttp(s);
      const { accountId } = await createAdminUser(s, { email: "owner@example.com", password: PASSWORD, accountName: "Shop" });
      for (const email of ["helper@example.com", "leaver@example.com"]) await createAdminUser(s, { email, password: PASSWORD, accountId });
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    const signIn = (email: string, password = PASSWORD) => new AdminBrowser(http.url).signedIn(email, password);

    it("admin sessions lists where an admin is signed in, as JSON and as text", async () => {
      await signIn("owner@example.com");
      await signIn("owner@example.com");
      const r = await cli(["admin", "sessions", "--email", "Owner@Example.com", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const out = json(r);
      expect(out.email).toBe("owner@example.com");
      expect(out.sessions).toHaveLength(2);
      expect(out.sessions[0]).toMatchObject({ device: "Chrome 142 · Linux", ip: expect.any(String), current: false });
      const text = await cli(["admin", "sessions", "--email", "owner@example.com"]);
      expect(text.stdout).toContain("Chrome 142 · Linux");
      expect(text.stdout.trim().split("\n")).toHaveLength(2);
      const none = await cli(["admin", "sessions", "--email", "helper@example.com"]);
      expect(none.stdout).toContain("helper@example.com has no active sessions.");
    });

    it("admin password sets the password from stdin and ends every live web session at once", async () => {
      const a = await signIn("owner@example.com");
      const b = a.copy();
      expect(await a.adminStatus()).toBe(200);
      const r = await cli(["admin", "password", "--email", "owner@example.com", "--password-stdin", "--json"], `${NEW_PASSWORD}\n`);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toEqual({ email: "owner@example.com", sessionsEnded: 3 });
      expect(await a.adminStatus()).toBe(302);
      expect(await b.adminStatus()).toBe(302);
      expect((await new AdminBrowser(http.url).signIn("owner@example.com", PASSWORD)).status).toBe(401);
      await signIn("owner@example.com", NEW_PASSWORD);
      const [audit] = await s.db.selectFrom("audit_log").selectAll().where("action", "=", "admin.password_changed").execute();
      expect(audit).toMatchObject({ actor_type: "cli" });
    });

    it("refuses bad input clearly and changes nothing", async () => {
      const live = await signIn("helper@example.com");
      const unknown = await cli(["admin", "password", "--email", "nobody@example.com", "--password-stdin", "--json"], `${NEW_PASSWORD}\n`);
      expect(unknown.code).toBe(2);
      expect(json(unknown).error).toMatchObject({ code: "admin_not_found", message: "No admin with the email nobody@example.com." });
      const short = await cli(["admin", "password", "--email", "helper@example.com", "--password-stdin", "--json"], "short\n");
      expect(short.code).toBe(2);
      expect(json(short).error.code).toMatch(/^password_/);
      const noEmail = await cli(["admin", "sign-out", "--json"]);
      expect(noEmail.code).toBe(2);
      expect(json(noEmail).error.code).toBe("missingOption");
      expect(await live.adminStatus()).toBe(200);
      await signIn("helper@example.com"); // the password is unchanged
    });

    it("admin sign-out ends every session of that admin and no one else's", async () => {
      const helper = await signIn("helper@example.com");
      const owner = await signIn("owner@example.com", NEW_PASSWORD);
      const r = await cli(["admin", "sign-out", "--email", "helper@example.com", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toEqual({ email: "helper@example.com", ended: 3 });
      expect(await helper.adminStatus()).toBe(302);
      expect(await owner.adminStatus()).toBe(200);
      const text = await cli(["admin", "sign-out", "--email", "helper@example.com"]);
      expect(text.stdout).toContain("Signed helper@example.com out everywhere: 0 sessions ended.");
    });

    it("admin remove ends the admin's sessions at once and refuses the account's last admin", async () => {
      const leaver = await signIn("leaver@example.com");
      const r = await cli(["admin", "remove", "--email", "leaver@example.com", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ email: "leaver@example.com", sessionsEnded: 1 });
      expect(await leaver.adminStatus()).toBe(302);
      await cli(["admin", "remove", "--email", "helper@example.com", "--json"]);
      const last = await cli(["admin", "remove", "--email", "owner@example.com", "--json", "--locale=zh-CN"]);
      expect(last.code).toBe(2);
      expect(json(last).error).toMatchObject({ code: "admin_last_of_account", message: expect.stringContaining("唯一的管理员") });
      await signIn("owner@example.com", NEW_PASSWORD);
    });

    it("never prints a password", () => {
      for (const o of outputs) {
        expect(o).not.toContain(NEW_PASSWORD);
        expect(o).not.toContain(PASSWORD);
      }
    });
  });
}
