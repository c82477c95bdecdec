import { BASE64_HOST, TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { setAdminRole } from "../../app/.server/db/repositories/team-repo.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { freePort } from "../support/free-port.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { runCli } from "../support/run-cli.ts";
import { sessionToken, SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Team members over the built server, with mail through a real SMTP server: the invitation's
 * whole life (sent, accepted once, used twice, expired, revoked, renewed, opened from another
 * account, wrong roles), removal ending sessions, the last owner, tenant isolation, a support
 * member's reveal bound to its order, the CLI twins, and embedded Shopify staff roles.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const NEW_PASSWORD = "Heliotrope-Marzipan-Ferry-5307";
const LINK = /(http:\/\/[^\s]+\/invite\/([A-Za-z0-9_-]{43}))/;

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`team and invitations over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let smtp: TestSmtpServer;
    let accountA: string;
    let accountB: string;
    let ownerA: AdminBrowser;
    let ownerB: AdminBrowser;
    let csrfA: string;
    let csrfB: string;
    let ip = 20;

    beforeAll(async () => {
      smtp = await startSmtpServer();
      const port = await freePort();
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100", SMTP_URL: smtp.url, APP_URL: `http://127.0.0.1:${port}` } });
      http = await startHttp(s, port);
      accountA = (await createAdminUser(s, { email: "owner@a.example", password: PASSWORD, accountName: "Shop A" })).accountId;
      accountB = (await createAdminUser(s, { email: "owner@b.example", password: PASSWORD, accountName: "Shop B" })).accountId;
      ownerA = await browser().signedIn("owner@a.example", PASSWORD);
      ownerB = await browser().signedIn("owner@b.example", PASSWORD);
      csrfA = await ownerA.csrf();
      csrfB = await ownerB.csrf();
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
      await smtp?.stop();
    });

    const browser = () => new AdminBrowser(http.url, { "x-forwarded-for": `203.0.113.${ip++}` });
    // As the page's fetchers post (single fetch): the answer carries the error's code.
    const teamA = (fields: Record<string, string>) => ownerA.post("/admin/team.data", { csrf: csrfA, ...fields });
    const teamB = (fields: Record<string, string>) => ownerB.post("/admin/team.data", { csrf: csrfB, ...fields });
    const audits = (action: string) => s.db.selectFrom("audit_log").selectAll().where("action", "=", action).execute();
    const user = (email: string) => s.db.selectFrom("admin_users").selectAll().where("email", "=", email).executeTakeFirst();
    const invitation = (email: string) => s.db.selectFrom("team_invitations").selectAll().where("email", "=", email).orderBy("created_at", "desc").executeTakeFirst();

    /** The link in the newest email to `to`. */
    async function linkFor(to: string, nth = 1): Promise<{ url: string; path: string }> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const mails = smtp.received.filter((m) => m.envelope.to.includes(to));
        if (mails.length >= nth) {
          const m = LINK.exec(mails[nth - 1].parsed.text ?? "")!;
          return { url: m[1], path: new URL(m[1]).pathname };
        }
        if (Date.now() > deadline) throw new Error(`no invitation email #${nth} to ${to}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    /** Opens the link and accepts it in a fresh browser. */
    async function accept(path: string, password = NEW_PASSWORD, confirm = password, b = browser()) {
      const page = await b.get(path);
      const html = await page.text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
      return { b, page, html, csrf, res: await b.post(path, { csrf, password, confirm }) };
    }

    it("invite → email → accept sets the password and signs in; the same link then fails, audited", async () => {
      const sent = await teamA({ intent: "invite", email: "New.Support@A.example", role: "support" });
      expect(sent.status).toBe(200);
      const link = await linkFor("new.support@a.example");
      const mail = smtp.received.find((m) => m.envelope.to.includes("new.support@a.example"))!;
      expect(mail.parsed.subject).toContain("Shop A");
      expect(mail.parsed.text).toContain("Support");
      // Only the token's hash is stored.
      const inv = (await invitation("new.support@a.example"))!;
      expect(inv.token_hash).not.toContain(link.path.split("/").pop()!);

      // A second tab with the form open: it posts after the first has accepted.
      const tab = browser();
      const tabCsrf = /name="csrf" value="([^"]+)"/.exec(await (await tab.get(link.path)).text())![1];
      const weak = await accept(link.path, "password1234");
      expect(weak.page.status).toBe(200);
      expect(weak.html).toContain("new.support@a.example");
      expect(weak.res.status).toBe(400);
      const mismatch = await accept(link.path, NEW_PASSWORD, `${NEW_PASSWORD}x`);
      expect(mismatch.res.status).toBe(400);
      expect(await user("new.support@a.example")).toBeUndefined();

      const ok = await accept(link.path);
      expect(ok.res.status).toBe(302);
      expect(ok.res.headers.get("location")).toBe("/admin");
      expect(await ok.b.adminStatus()).toBe(200);
      expect(await user("new.support@a.example")).toMatchObject({ account_id: accountA, role: "support" });
      expect((await audits("team.invitation_accepted")).map((a) => a.account_id)).toEqual([accountA]);
      // And the new member signs in with it.
      await browser().signedIn("new.support@a.example", NEW_PASSWORD);

      const again = await accept(link.path);
      expect(again.page.status).toBe(410);
      expect(again.html).toContain("already been accepted");
      const twice = await tab.post(link.path, { csrf: tabCsrf, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
      expect(twice.status).toBe(410);
      expect(await twice.text()).toContain("already been accepted");
      const refused = (await audits("team.invitation_refused")).filter((a) => a.subject_id === inv.id);
      // Each attempt with the dead link is on the record once: the page opened (1), then two
      // document POSTs (the action refuses and audits; the page shown after it does not again).
      expect(refused.length).toBe(3);
      for (const r of refused) expect(JSON.parse(r.details!)).toMatchObject({ reason: "invitation_used" });
    });

    it("accepting while signed in to the same account ends that session, not only its cookie", async () => {
      await teamA({ intent: "invite", email: "second-hat@a.example", role: "viewer" });
      const link = await linkFor("second-hat@a.example");
      const signedIn = await browser().signedIn("owner@a.example", PASSWORD);
      const copied = signedIn.copy();
      const ok = await accept(link.path, NEW_PASSWORD, NEW_PASSWORD, signedIn);
      expect(ok.res.status).toBe(302);
      expect(await ok.b.adminStatus()).toBe(200); // the new member's session
      expect(await copied.adminStatus()).not.toBe(200); // the owner's old one is over
      const owner = (await user("owner@a.example"))!;
      expect((await audits("admin.logout")).some((a) => a.actor_id === owner.id)).toBe(true);
      // The account's other sessions of the owner are untouched.
      expect(await ownerA.adminStatus()).toBe(200);
    });

    it("an expired, a revoked and a replaced link are refused with their reason; a renewed one works", async () => {
      await teamA({ intent: "invite", email: "late@a.example", role: "viewer" });
      const late = await linkFor("late@a.example");
      await s.db.updateTable("team_invitations").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where("email", "=", "late@a.example").execute();
      const expired = await accept(late.path);
      expect(expired.page.status).toBe(410);
      expect(expired.html).toContain("This invitation has expired.");
      expect(await user("late@a.example")).toBeUndefined();

      await teamA({ intent: "invite", email: "gone@a.example", role: "viewer" });
      const gone = await linkFor("gone@a.example");
      const revoke = await teamA({ intent: "revoke", invitationId: (await invitation("gone@a.example"))!.id });
      expect(revoke.status).toBe(200);
      const revoked = await accept(gone.path);
      expect(revoked.page.status).toBe(410);
      expect(revoked.html).toContain("withdrawn");

      // Resend: the expired one gets a new link and deadline; the old link stops working.
      expect((await teamA({ intent: "resend", invitationId: (await invitation("late@a.example"))!.id })).status).toBe(200);
      const renewed = await linkFor("late@a.example", 2);
      expect((await accept(late.path)).page.status).toBe(404);
      expect((await accept(renewed.path)).res.status).toBe(302);
      expect(await user("late@a.example")).toMatchObject({ role: "viewer" });
      const reasons = (await audits("team.invitation_refused")).map((a) => JSON.parse(a.details!).reason);
      expect(reasons).toEqual(expect.arrayContaining(["invitation_expired", "invitation_revoked"]));
    });

    it("a link opened while signed in to another account is refused, audited, and stays usable", async () => {
      await teamA({ intent: "invite", email: "elsewhere@a.example", role: "manager" });
      const link = await linkFor("elsewhere@a.example");
      const page = await ownerB.get(link.path);
      expect(page.status).toBe(409);
      expect(await page.text()).toContain("signed in to another keyrelay account");
      const refusal = (await audits("team.invitation_refused")).find((a) => JSON.parse(a.details!).reason === "invitation_other_account");
      expect(refusal?.account_id).toBe(accountA);
      expect((await invitation("elsewhere@a.example"))!.accepted_at).toBeNull();
      expect((await accept(link.path)).res.status).toBe(302);
    });

    it("wrong roles and emails are refused naming the field, audited, and write no invitation", async () => {
      const before = (await s.db.selectFrom("team_invitations").select("id").execute()).length;
      for (const [fields, code] of [
        [{ email: "x@a.example", role: "staff" }, "team_role_invalid"],
        [{ email: "x@a.example", role: "Owner" }, "team_role_invalid"],
        [{ email: "x@a.example", role: "" }, "team_role_invalid"],
        [{ email: "not-an-email", role: "viewer" }, "invalid_email"],
        [{ email: "owner@b.example", role: "viewer" }, "team_email_taken"],
        [{ email: "owner@a.example", role: "viewer" }, "team_already_member"],
      ] as const) {
        const res = await teamA({ intent: "invite", ...fields });
        expect(res.status, code).toBe(400);
        expect(await res.text()).toContain(code);
      }
      expect((await s.db.selectFrom("team_invitations").select("id").execute()).length).toBe(before);
      expect((await audits("team.refused")).filter((a) => a.account_id === accountA).length).toBeGreaterThanOrEqual(6);
    });

    it("removing a member ends their sessions at once", async () => {
      const { userId } = await createAdminUser(s, { email: "leaver@a.example", password: PASSWORD, accountId: accountA });
      const leaver = await browser().signedIn("leaver@a.example", PASSWORD);
      const stolen = leaver.copy();
      const res = await teamA({ intent: "remove", memberId: userId });
      expect(res.status).toBe(200);
      expect(await leaver.adminStatus()).toBe(302);
      expect(await stolen.adminStatus()).toBe(302);
      expect(await user("leaver@a.example")).toBeUndefined();
      const removed = (await audits("team.member_removed")).find((a) => a.subject_id === userId)!;
      expect(JSON.parse(removed.details!)).toMatchObject({ email: "leaver@a.example", sessionsEnded: 1 });
    });

    it("the last owner cannot be demoted or removed — on the page, by team remove or admin remove", async () => {
      const me = (await user("owner@a.example"))!;
      const demote = await teamA({ intent: "role", memberKind: "admin", memberId: me.id, role: "manager" });
      expect(demote.status).toBe(400);
      expect(await demote.text()).toContain("team_last_owner");
      expect((await teamA({ intent: "remove", memberId: me.id })).status).toBe(400);
      for (const args of [["team", "remove", "--email", "owner@a.example"], ["admin", "remove", "--email", "owner@a.example"]]) {
        const cli = await runCli([...args, "--json"], { env: s.env });
        expect(cli.code, cli.stderr).toBe(2);
        expect(JSON.parse(cli.stdout).error.code).toBe("team_last_owner");
      }
      expect((await user("owner@a.example"))!.role).toBe("owner");
      // With a second owner, the first may step down.
      const second = (await user("elsewhere@a.example"))!;
      expect((await teamA({ intent: "role", memberKind: "admin", memberId: second.id, role: "owner" })).status).toBe(200);
      expect((await teamA({ intent: "role", memberKind: "admin", memberId: me.id, role: "manager" })).status).toBe(200);
      expect((await user("owner@a.example"))!.role).toBe("manager");
      const changes = (await audits("team.role_changed")).map((a) => JSON.parse(a.details!));
      expect(changes).toEqual(expect.arrayContaining([expect.objectContaining({ from: "owner", to: "manager", self: true })]));
      // Now a manager, the team page is closed to them; and they cannot make themselves owner again.
      const closed = await ownerA.get("/admin/team");
      expect(closed.status).toBe(403);
      expect(await closed.text()).toContain("does not allow this");
      expect((await teamA({ intent: "role", memberKind: "admin", memberId: me.id, role: "owner" })).status).toBe(403);
      expect((await user("owner@a.example"))!.role).toBe("manager");
      await setAdminRole(s.db, accountA, me.id, "owner");
    });

    it("another account's owner gets 404 for this team's members and invitations, and changes nothing", async () => {
      const member = (await user("new.support@a.example"))!;
      await teamA({ intent: "invite", email: "pending@a.example", role: "viewer" });
      const inv = (await invitation("pending@a.example"))!;
      for (const fields of [
        { intent: "role", memberKind: "admin", memberId: member.id, role: "owner" },
        { intent: "remove", memberId: member.id },
        { intent: "revoke", invitationId: inv.id },
        { intent: "resend", invitationId: inv.id },
      ] as Record<string, string>[]) {
        const res = await teamB(fields);
        expect(res.status, fields.intent).toBe(404);
      }
      expect((await user("new.support@a.example"))!.role).toBe("support");
      expect((await invitation("pending@a.example"))!).toMatchObject({ revoked_at: null, token_hash: inv.token_hash });
      const page = await (await ownerB.get("/admin/team")).text();
      expect(page).not.toContain("a.example");
    });

    it("a support member reveals a key only within the order that holds it, audited", async () => {
      const store = await insertStore(s.db, { accountId: accountA, platform: "shopify", domain: `team-${dialect}.myshopify.com`, name: "Team shop" });
      const pool = await createPool(s, accountA, { name: "Game card", refundPolicy: "revoke" }, { type: "cli" });
      await upsertMapping(s.db, { accountId: accountA, storeId: store.id, poolId: pool.id, productId: "P1", variantId: null, title: "Game card", unitsPerItem: 1, syncStock: false });
      await stockPool(s, accountA, pool.id, ["TEAM-KEY-ONE", "TEAM-KEY-TWO"]);
      const one = await applyHostOrder(s, store, paidOrder({ id: "7001", quantity: 1 }));
      const two = await applyHostOrder(s, store, paidOrder({ id: "7002", quantity: 1 }));
      const keyOf = async (orderId: string) =>
        (
          await s.db
            .selectFrom("allocations")
            .innerJoin("order_lines", "order_lines.id", "allocations.order_line_id")
            .select("allocations.key_id")
            .where("order_lines.order_id", "=", orderId)
            .executeTakeFirstOrThrow()
        ).key_id!;
      const support = await browser().signedIn("new.support@a.example", NEW_PASSWORD);
      const csrf = await support.csrf();
      const other = await support.post(`/admin/orders/${one.orderId}`, { csrf, intent: "reveal", keyId: String(await keyOf(two.orderId)) });
      expect(other.status).toBe(404);
      expect(await other.text()).not.toMatch(/TEAM-KEY-(ONE|TWO)/);
      const own = await support.post(`/admin/orders/${one.orderId}`, { csrf, intent: "reveal", keyId: String(await keyOf(one.orderId)) });
      expect(own.status).toBe(200);
      expect(await own.text()).toMatch(/TEAM-KEY-(ONE|TWO)/);
      const revealed = (await audits("key.revealed")).filter((a) => a.account_id === accountA);
      expect(revealed.map((a) => JSON.parse(a.details!).orderId)).toEqual([one.orderId]);
      // The pool's key list and export stay closed to support, and the attempts are on the record.
      expect((await support.post(`/admin/pools/${pool.id}`, { csrf, intent: "reveal", keyId: String(await keyOf(one.orderId)) })).status).toBe(403);
      expect((await support.get(`/admin/pools/${pool.id}/export`)).status).toBe(403);
      const denied = (await audits("access.denied")).map((a) => JSON.parse(a.details!).permission);
      expect(denied).toEqual(expect.arrayContaining(["keys.reveal", "keys.export"]));
    });

    it("CLI: team invite, list and remove with --json, acting as owner", async () => {
      const invited = await runCli(["team", "invite", "--email", "cli@a.example", "--role", "manager", "--account", accountA, "--json"], { env: s.env });
      expect(invited.code, invited.stderr).toBe(0);
      expect(JSON.parse(invited.stdout)).toMatchObject({ email: "cli@a.example", role: "manager", sent: true, accountId: accountA });
      expect(invited.stdout).not.toMatch(/invite\//);
      const link = await linkFor("cli@a.example");
      expect((await accept(link.path)).res.status).toBe(302);
      const bad = await runCli(["team", "invite", "--email", "x@a.example", "--role", "admin", "--account", accountA, "--json"], { env: s.env });
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout).error.code).toBe("team_role_invalid");

      const listed = JSON.parse((await runCli(["team", "list", "--account", accountA, "--json"], { env: s.env })).stdout);
      expect(listed.members.map((m: { email: string }) => m.email)).toContain("cli@a.example");
      expect(JSON.stringify(listed)).not.toMatch(/password_hash|token_hash/);
      const human = await runCli(["team", "list", "--account", accountA, "--locale=zh-CN"], { env: s.env });
      expect(human.stdout).toContain("客服");

      const removed = await runCli(["team", "remove", "--email", "cli@a.example", "--json"], { env: s.env });
      expect(removed.code, removed.stderr).toBe(0);
      expect(JSON.parse(removed.stdout)).toMatchObject({ email: "cli@a.example", sessionsEnded: 1 });
      expect(await user("cli@a.example")).toBeUndefined();
      expect((await audits("team.member_removed")).some((a) => a.actor_type === "cli")).toBe(true);
    });
  });
}

describe("embedded Shopify staff get roles (session tokens)", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  let poolId: string;
  // The library answers self-identified bots (Node's fetch says "node") with 410; a browser does not.
  const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36" };
  const get = async (path: string, sub: string) =>
    fetch(`${http.url}${path}?embedded=1&shop=${TEST_SHOP}&host=${BASE64_HOST}&id_token=${await sessionToken(TEST_SHOP_NAME, { sub })}`, { redirect: "manual", headers: browser });
  const post = async (path: string, sub: string, fields: Record<string, string>) =>
    fetch(`${http.url}${path}.data`, {
      method: "POST",
      redirect: "manual",
      headers: { ...browser, authorization: `Bearer ${await sessionToken(TEST_SHOP_NAME, { sub })}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });

  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: SHOPIFY_ENV });
    http = await startHttp(s);
    const store = await installShopifyShop(s, { shop: TEST_SHOP });
    await storeOfflineSession(s, TEST_SHOP);
    poolId = (await createPool(s, store.account_id, { name: "Gift card", refundPolicy: "revoke" }, { type: "cli" })).id;
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("the installer is owner, the next staff member support; the owner sets their role on the team page", async () => {
    expect((await get("/app", "1001")).status).toBe(200);
    expect((await get("/app", "1002")).status).toBe(200);
    const roles = await s.db.selectFrom("shopify_staff_roles").select(["shopify_user_id", "role"]).orderBy("shopify_user_id").execute();
    expect(roles).toEqual([
      { shopify_user_id: "1001", role: "owner" },
      { shopify_user_id: "1002", role: "support" },
    ]);
    // Support: no team page, no export; the refusal is audited.
    expect((await get("/app/team", "1002")).status).toBe(403);
    expect((await get(`/app/pools/${poolId}/export`, "1002")).status).toBe(403);
    expect((await s.db.selectFrom("audit_log").select("details").where("action", "=", "access.denied").execute()).length).toBe(2);
    // A support member cannot give themselves a role.
    expect((await post("/app/team", "1002", { intent: "role", memberKind: "shopify", shop: TEST_SHOP, userId: "1002", role: "owner" })).status).toBe(403);

    const team = await get("/app/team", "1001");
    expect(team.status).toBe(200);
    expect(await team.text()).toContain("Shopify user 1002");
    const set = await post("/app/team", "1001", { intent: "role", memberKind: "shopify", shop: TEST_SHOP, userId: "1002", role: "manager" });
    expect(set.status).toBe(200);
    expect((await get(`/app/pools/${poolId}/export`, "1002")).status).toBe(200);
    // The only owner cannot step down.
    expect((await post("/app/team", "1001", { intent: "role", memberKind: "shopify", shop: TEST_SHOP, userId: "1001", role: "viewer" })).status).toBe(400);
  });

  it("a session token that names no user is refused with a clear error, not merged into one shared identity", async () => {
    const staffBefore = await s.db.selectFrom("shopify_staff_roles").select("shopify_user_id").execute();
    const res = await get("/app", "");
    expect(res.status).toBe(400);
    // The error page says why (the boundary shows the answer's message).
    expect(await res.text()).toContain("the session token names no user");
    expect(await s.db.selectFrom("shopify_staff_roles").select("shopify_user_id").execute()).toEqual(staffBefore);
  });

  it("an account from before roles: whoever opens the app first is a manager, not owner, until `team set-role` names an owner; then newcomers are support", async () => {
    // As an upgrade finds it: the account existed before migration 0007 ran and no staff row exists yet.
    const { account_id: accountId } = await s.db.selectFrom("stores").select("account_id").where("domain", "=", TEST_SHOP).executeTakeFirstOrThrow();
    await s.db.deleteFrom("shopify_staff_roles").where("account_id", "=", accountId).execute();
    await s.db.updateTable("accounts").set({ created_at: "2020-01-01T00:00:00.000Z" }).where("id", "=", accountId).execute();

    expect((await get("/app", "2001")).status).toBe(200);
    expect((await get("/app", "2002")).status).toBe(200);
    const roles = () => s.db.selectFrom("shopify_staff_roles").select(["shopify_user_id", "role"]).where("account_id", "=", accountId).orderBy("shopify_user_id").execute();
    expect(await roles()).toEqual([
      { shopify_user_id: "2001", role: "manager" },
      { shopify_user_id: "2002", role: "manager" },
    ]);
    // What they did before stays (export), the team does not.
    expect((await get(`/app/pools/${poolId}/export`, "2001")).status).toBe(200);
    expect((await get("/app/team", "2001")).status).toBe(403);

    const named = await runCli(["team", "set-role", "--shop", TEST_SHOP, "--user-id", "2001", "--role", "owner", "--json"], { env: s.env });
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ accountId, from: "manager", to: "owner", member: { kind: "shopify", shop: TEST_SHOP, userId: "2001" } });
    const human = await runCli(["team", "set-role", "--shop", TEST_SHOP, "--user-id", "2002", "--role", "support", "--locale=zh-CN"], { env: s.env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain("管理员 → 客服");
    const unknown = await runCli(["team", "set-role", "--shop", TEST_SHOP, "--user-id", "9999", "--role", "owner", "--json"], { env: s.env });
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout).error.code).toBe("team_member_not_found");
    const usage = await runCli(["team", "set-role", "--shop", TEST_SHOP, "--role", "owner", "--json"], { env: s.env });
    expect(usage.code).toBe(2);

    expect((await get("/app/team", "2001")).status).toBe(200);
    expect((await get("/app", "2003")).status).toBe(200);
    expect(await roles()).toEqual([
      { shopify_user_id: "2001", role: "owner" },
      { shopify_user_id: "2002", role: "support" },
      { shopify_user_id: "2003", role: "support" },
    ]);
    expect((await s.db.selectFrom("audit_log").select("actor_type").where("action", "=", "team.role_changed").where("account_id", "=", accountId).execute()).map((a) => a.actor_type)).toContain("cli");
  });
});
