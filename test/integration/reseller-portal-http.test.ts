import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { inviteResellerUser } from "../../app/.server/use-cases/invite-reseller-user.ts";
import { setResellerSuspended } from "../../app/.server/use-cases/manage-resellers.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { routeOfFile } from "../support/admin-route-table.ts";
import { startHttp } from "../support/http-server.ts";
import { csrfOf, invitedPortalUser, PORTAL_PASSWORD, portalLinkFor, portalPost } from "../support/portal-fixtures.ts";
import { PORTAL_PUBLIC, PORTAL_ROWS, portalUrl, type PortalIds } from "../support/portal-route-table.ts";
import { cli, makeReseller, type ResellerSetup } from "../support/reseller-fixtures.ts";
import { runCli } from "../support/run-cli.ts";
import { makeServices, waitFor, type TestServices } from "../support/test-services.ts";

/**
 * The reseller portal over the built server: invitation → password → sign-in, the catalog and a
 * hand order that a double submit cannot charge twice, masked keys revealed (audited), the CSV and
 * TXT downloads, balance, tokens, webhooks with replay, and isolation: every portal route signed
 * out, with the merchant's admin cookie, and as a second reseller of the same account and one of
 * another account — refused, 404 for the first reseller's objects, nothing changed.
 */

async function startReceiver() {
  const got: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push(body);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const page = async (b: AdminBrowser, path: string) => {
  const res = await b.get(path);
  return { status: res.status, html: await res.text(), location: res.headers.get("location") };
};

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`reseller portal over HTTP (${dialect})`, () => {
    let s: TestServices;
    let app: { url: string; close(): Promise<void> };
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let a1: ResellerSetup;
    let a2: ResellerSetup;
    let b1: ResellerSetup;
    let p1: AdminBrowser;
    let p2: AdminBrowser;
    let pb: AdminBrowser;
    const ids: PortalIds = { order: "", token: "", endpoint: "", delivery: "", pool: "" };
    const prefix = `PT${dialect.slice(0, 2).toUpperCase()}`;

    beforeAll(async () => {
      s = await makeServices({ dialect, startWorkers: true, env: { RESELLER_WEBHOOKS_ALLOW_HTTP: "on", RESELLER_API_RATE_PER_SECOND: "1000", RESELLER_API_BURST: "1000" } });
      app = await startHttp(s);
      receiver = await startReceiver();
      a1 = await makeReseller(s, { stock: 6, price: "2.50", topup: "20", prefix });
      a2 = await makeReseller(s, { accountId: a1.accountId, poolId: a1.poolId, price: "3.00", topup: "20" });
      b1 = await makeReseller(s, { stock: 2, price: "1.00", topup: "5" });
      ids.pool = a1.poolId;
    });
    afterAll(async () => {
      await app?.close();
      await receiver?.close();
      await s?.cleanup();
    });

    const audits = (action: string) => s.db.selectFrom("audit_log").selectAll().where("action", "=", action).execute();

    it("invite → email → set password → signed in; the link works once; only the token's hash is stored", async () => {
      const email = `one-${dialect}@reseller.example`;
      p1 = await invitedPortalUser(s, app.url, a1.accountId, a1.resellerId, email);
      expect([...p1.jar.keys()]).toEqual(["keyrelay_portal"]);
      const link = await portalLinkFor(s, email);
      expect(link.subject).toContain("Downstream shop");
      const inv = await s.db.selectFrom("reseller_invitations").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
      expect(inv.token_hash).not.toContain(link.path.split("/").pop()!);
      expect(inv.accepted_user_id).not.toBeNull();
      const user = await s.db.selectFrom("reseller_users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
      expect(user).toMatchObject({ account_id: a1.accountId, reseller_id: a1.resellerId });
      expect(user.password_hash).not.toContain(PORTAL_PASSWORD);
      // No admin login was made for the email.
      expect(await s.db.selectFrom("admin_users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
      const again = await page(new AdminBrowser(app.url), link.path);
      expect(again.status).toBe(410);
      expect((await audits("reseller.portal_invitation_accepted")).map((a) => a.subject_id)).toEqual([inv.id]);
      // Its log line never holds the link's token.
      expect(s.logLines.join("\n")).not.toContain(link.path.split("/").pop()!);
    });

    it("a weak or mismatched password is refused under the admin's rules; inviting a taken email is refused", async () => {
      const email = `weak-${dialect}@reseller.example`;
      await inviteResellerUser(s, a1.accountId, { resellerId: a1.resellerId, email }, cli);
      const link = await portalLinkFor(s, email);
      const b = new AdminBrowser(app.url);
      const csrf = await csrfOf(b, link.path);
      expect((await b.post(link.path, { csrf, password: "password1234", confirm: "password1234" })).status).toBe(400);
      expect((await b.post(link.path, { csrf, password: PORTAL_PASSWORD, confirm: `${PORTAL_PASSWORD}x` })).status).toBe(400);
      expect((await b.post(link.path, { csrf: "forged", password: PORTAL_PASSWORD, confirm: PORTAL_PASSWORD })).status).toBe(403);
      expect(await s.db.selectFrom("reseller_users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
      await expect(inviteResellerUser(s, a1.accountId, { resellerId: a1.resellerId, email: `one-${dialect}@reseller.example` }, cli)).rejects.toMatchObject({ code: "portal_email_taken" });
      await expect(inviteResellerUser(s, a1.accountId, { resellerId: b1.resellerId, email: "x@y.example" }, cli)).rejects.toMatchObject({ code: "reseller_not_found" });
    });

    it("the CLI twin invites (--json) and renews an open invitation", async () => {
      const env = { ...s.env };
      const first = await runCli(["reseller", "invite", "--account", a2.accountId, "--reseller", a2.resellerId, "--email", `Two-${dialect}@Reseller.example`, "--json"], { env });
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ email: `two-${dialect}@reseller.example`, resellerId: a2.resellerId, sent: true, renewed: false });
      const second = await runCli(["reseller", "invite", "--account", a2.accountId, "--reseller", a2.resellerId, "--email", `two-${dialect}@reseller.example`, "--json"], { env });
      expect(JSON.parse(second.stdout)).toMatchObject({ renewed: true });
      expect(await s.db.selectFrom("reseller_invitations").select("id").where("email", "=", `two-${dialect}@reseller.example`).execute()).toHaveLength(1);
      const link = await portalLinkFor(s, `two-${dialect}@reseller.example`);
      p2 = new AdminBrowser(app.url);
      const csrf = await csrfOf(p2, link.path);
      expect((await p2.post(link.path, { csrf, password: PORTAL_PASSWORD, confirm: PORTAL_PASSWORD })).status).toBe(302);
      pb = await invitedPortalUser(s, app.url, b1.accountId, b1.resellerId, `other-${dialect}@reseller.example`);
    });

    it("signs in and out at /portal/login; a wrong password is 401 and audited", async () => {
      const b = new AdminBrowser(app.url);
      const csrf = await csrfOf(b, "/portal/login");
      const wrong = await b.post("/portal/login", { csrf, email: `one-${dialect}@reseller.example`, password: "Wrong-Password-0000" });
      expect(wrong.status).toBe(401);
      expect((await audits("reseller.portal_login_failed")).length).toBeGreaterThan(0);
      const ok = await b.post("/portal/login?next=%2Fportal%2Fbalance", { csrf, email: `One-${dialect}@reseller.example`, password: PORTAL_PASSWORD });
      expect(ok.status).toBe(302);
      expect(ok.headers.get("location")).toBe("/portal/balance");
      // next= never leaves the portal.
      const away = await new AdminBrowser(app.url).get("/portal/login");
      expect(away.status).toBe(200);
      const b2 = new AdminBrowser(app.url);
      const c2 = await csrfOf(b2, "/portal/login");
      const out = await b2.post("/portal/login?next=%2Fadmin", { csrf: c2, email: `one-${dialect}@reseller.example`, password: PORTAL_PASSWORD });
      expect(out.headers.get("location")).toBe("/portal");
      const copy = b.copy();
      const signedIn = await csrfOf(b, "/portal");
      expect((await b.post("/portal/logout", { csrf: signedIn })).headers.get("location")).toBe("/portal/login?signedOut=1");
      // Every copy of the cookie ended with the session.
      expect((await copy.get("/portal")).headers.get("location")).toBe("/portal/login?next=%2Fportal");
    });

    it("the catalog shows the reseller's price and stock; a double submit of one order form charges once", async () => {
      const cat = await page(p1, "/portal");
      expect(cat.status).toBe(200);
      expect(cat.html).toContain("Game card 100");
      expect(cat.html).toContain("$2.50");
      const csrf = /name="csrf" value="([^"]+)"/.exec(cat.html)![1];
      const key = /name="idempotencyKey" value="(portal-[^"]+)"/.exec(cat.html)![1];
      const form = { csrf, idempotencyKey: key, pool: a1.poolId, quantity: "2", reference: "PO-1" };
      const [first, second] = await Promise.all([portalPost(p1, "/portal", form), portalPost(p1, "/portal", form)]);
      const answers = [first, second].map((r) => r.text);
      const placed = answers.map((t) => /\/portal\/orders\/([0-9a-f-]{36})/.exec(t)?.[1]).filter(Boolean);
      // One order; the other submit replayed it or was told it is still running (409), never a second charge.
      expect(new Set(placed).size).toBe(1);
      ids.order = placed[0]!;
      const orders = await s.db.selectFrom("orders").select("id").where("reseller_id", "=", a1.resellerId).execute();
      expect(orders).toHaveLength(1);
      const debits = await s.db.selectFrom("reseller_ledger").selectAll().where("reseller_id", "=", a1.resellerId).where("kind", "=", "debit").execute();
      expect(debits.map((d) => Number(d.amount_minor))).toEqual([-500]);
      const audit = (await audits("reseller.order_placed")).find((a) => a.subject_id === ids.order)!;
      expect(audit).toMatchObject({ actor_type: "reseller", actor_id: a1.resellerId });
      expect(JSON.parse(audit.details!)).toMatchObject({ portalUserId: expect.any(String) });
      // A refused order brings a fresh key: correcting the form is a new request.
      const fresh = /name="idempotencyKey" value="(portal-[^"]+)"/.exec((await page(p1, "/portal")).html)![1];
      const tooMany = await portalPost(p1, "/portal", { csrf, idempotencyKey: fresh, pool: a1.poolId, quantity: "50" });
      expect(tooMany.status).toBe(409);
      expect(tooMany.text).toContain("insufficient_balance");
      const nextKey = /"nextKey","(portal-[^"]+)"/.exec(tooMany.text)![1];
      expect(nextKey).not.toBe(fresh);
      const bad = await portalPost(p1, "/portal", { csrf, idempotencyKey: nextKey, pool: a1.poolId, quantity: "zero" });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain("portal_order_quantity");
      const forged = await portalPost(p1, "/portal", { csrf: "forged", idempotencyKey: nextKey, pool: a1.poolId, quantity: "1" });
      expect(forged.status).toBe(403);
    });

    it("order detail masks the keys; reveal shows them (audited, actor the reseller); CSV (BOM, formula-safe) and TXT downloads are audited", async () => {
      const codes = [`${prefix}-0001`, `${prefix}-0002`];
      const detail = await page(p1, `/portal/orders/${ids.order}`);
      expect(detail.status).toBe(200);
      for (const c of codes) expect(detail.html).not.toContain(c);
      expect(detail.html).toContain("PO-1");
      const csrf = /name="csrf" value="([^"]+)"/.exec(detail.html)![1];
      const shown = await portalPost(p1, `/portal/orders/${ids.order}`, { csrf, intent: "reveal" });
      expect(shown.status).toBe(200);
      for (const c of codes) expect(shown.text).toContain(c);
      const read = (await audits("reseller.order_keys_read")).filter((a) => a.subject_id === ids.order);
      expect(read).toHaveLength(1);
      expect(read[0]).toMatchObject({ actor_type: "reseller", actor_id: a1.resellerId });

      const csv = await p1.get(`/portal/orders/${ids.order}/keys?format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get("content-type")).toContain("text/csv");
      expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="keys-[0-9a-f-]+\.csv"$/);
      const bytes = Buffer.from(await csv.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.toString("utf8").slice(1).split("\r\n").filter(Boolean)).toEqual(["code", ...codes]);
      const txt = await p1.get(`/portal/orders/${ids.order}/keys?format=txt`);
      expect(await txt.text()).toBe(`${codes.join("\n")}\n`);
      const exported = (await audits("reseller.order_keys_exported")).filter((a) => a.subject_id === ids.order).map((a) => JSON.parse(a.details!).format);
      expect(exported.sort()).toEqual(["csv", "txt"]);
    });

    it("a key that looks like a formula is neutralised in the CSV", async () => {
      const { downloadOrderKeys } = await import("../../app/.server/use-cases/reseller-portal-keys.ts");
      const { stockPool } = await import("../support/fulfilment-fixtures.ts");
      const r = await makeReseller(s, { topup: "10", price: "1.00" });
      await stockPool(s, r.accountId, r.poolId, ["=HYPERLINK(\"http://x\")", "+SUM(A1)"]);
      const { placeResellerOrder } = await import("../../app/.server/use-cases/place-reseller-order.ts");
      const { findReseller } = await import("../../app/.server/db/repositories/resellers-repo.ts");
      const reseller = (await findReseller(s.db, r.accountId, r.resellerId))!;
      const caller = { reseller, tokenId: null, portalUserId: "u", mode: "live" as const, scopes: [] };
      const placed = await placeResellerOrder(s, caller, "portal-formula", { pool: r.poolId, quantity: 2 }, { pool: r.poolId, quantity: 2 }, null);
      const file = await downloadOrderKeys(s, caller, placed.order.id, "csv", null);
      const rows = file.body.slice(1).split("\r\n").filter(Boolean);
      expect(rows.slice(1).sort()).toEqual([`"'=HYPERLINK(""http://x"")"`, "'+SUM(A1)"].sort());
    });

    it("orders (newest first), balance and ledger pages show the reseller's own rows", async () => {
      const orders = await page(p1, "/portal/orders");
      expect(orders.html).toContain(ids.order);
      expect(orders.html).toContain("PO-1");
      expect((await page(p1, "/portal/orders?cursor=not-a-cursor")).location).toBe("/portal/orders");
      const balance = await page(p1, "/portal/balance");
      expect(balance.html).toContain("$15.00");
      expect(balance.html).toContain("-$5.00");
      expect(balance.html).toContain("wire");
      // The second reseller of the account sees none of it.
      const other = await page(p2, "/portal/orders");
      expect(other.html).not.toContain(ids.order);
      expect((await page(p2, "/portal/balance")).html).not.toContain("-$5.00");
    });

    it("API tokens: created once with its scopes and expiry, usable on /api/v1, revoked", async () => {
      const csrf = await csrfOf(p1, "/portal/tokens");
      const made = await portalPost(p1, "/portal/tokens", { csrf, intent: "create", name: "shop", scope: "catalog:read,orders:read", expires: "2099-12-31" });
      expect(made.status).toBe(200);
      // The answer names the token and its prefix: the token is the longer one.
      const token = [...made.text.matchAll(/"(kr_live_[A-Za-z0-9_-]+)"/g)].map((m) => m[1]).sort((x, y) => y.length - x.length)[0];
      const row = await s.db.selectFrom("reseller_tokens").selectAll().where("reseller_id", "=", a1.resellerId).where("name", "=", "shop").executeTakeFirstOrThrow();
      ids.token = row.id;
      expect(row.scopes).toBe("catalog:read orders:read");
      expect(row.expires_at).toMatch(/^2099-12-31T23:59:59/);
      expect((await page(p1, "/portal/tokens")).html).not.toContain(token);
      const api = await fetch(`${app.url}/api/v1/catalog`, { headers: { authorization: `Bearer ${token}` } });
      expect(api.status).toBe(200);
      const badScope = await portalPost(p1, "/portal/tokens", { csrf, intent: "create", scope: "keys:steal" });
      expect(badScope.status).toBe(400);
      expect((await audits("reseller.token_created")).filter((a) => a.actor_type === "reseller" && a.actor_id === a1.resellerId)).toHaveLength(1);
      // The sandbox checkbox: a kr_test_ token, on the sandbox side of the API.
      const sbx = await portalPost(p1, "/portal/tokens", { csrf, intent: "create", name: "sandbox", scope: "balance:read", mode: "test" });
      const test = [...sbx.text.matchAll(/"(kr_test_[A-Za-z0-9_-]+)"/g)].map((m) => m[1]).sort((x, y) => y.length - x.length)[0];
      const bal = await fetch(`${app.url}/api/v1/balance`, { headers: { authorization: `Bearer ${test}` } });
      expect(await bal.json()).toMatchObject({ livemode: false });
    });

    it("webhook endpoints: add (secret once), a delivery in the log, replay sends it again; remove", async () => {
      const csrf = await csrfOf(p1, "/portal/webhooks");
      const refused = await portalPost(p1, "/portal/webhooks", { csrf, intent: "add", url: "ftp://files.example/x", event: "order.fulfilled" });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain("invalid_body");
      const added = await portalPost(p1, "/portal/webhooks", { csrf, intent: "add", url: receiver.url, event: "order.fulfilled" });
      expect(added.status).toBe(200);
      expect(added.text).toMatch(/whsec_/);
      const ep = await s.db.selectFrom("reseller_webhook_endpoints").selectAll().where("reseller_id", "=", a1.resellerId).executeTakeFirstOrThrow();
      ids.endpoint = ep.id;
      const cat = await page(p1, "/portal");
      const key = /name="idempotencyKey" value="(portal-[^"]+)"/.exec(cat.html)![1];
      await portalPost(p1, "/portal", { csrf, idempotencyKey: key, pool: a1.poolId, quantity: "1" });
      await waitFor(async () => receiver.got.length >= 1 || undefined);
      const d = await s.db.selectFrom("reseller_webhook_deliveries").selectAll().where("endpoint_id", "=", ep.id).executeTakeFirstOrThrow();
      ids.delivery = String(d.id);
      const log = await page(p1, "/portal/webhooks");
      expect(log.html).toContain("order.fulfilled");
      const replay = await portalPost(p1, "/portal/webhooks", { csrf, intent: "replay", deliveryId: ids.delivery });
      expect(replay.status).toBe(200);
      await waitFor(async () => receiver.got.length >= 2 || undefined);
      expect(JSON.parse(receiver.got[1]).id).toBe(JSON.parse(receiver.got[0]).id);
      expect((await audits("reseller.webhook_replayed")).map((a) => a.subject_id)).toEqual([ids.delivery]);
    });

    it("portal documents carry the admin's Content-Security-Policy (nonced scripts, never framed)", async () => {
      for (const [b, path] of [[new AdminBrowser(app.url), "/portal/login"], [p1, "/portal"], [p1, `/portal/orders/${ids.order}`]] as const) {
        const res = await b.get(path);
        const policy = res.headers.get("content-security-policy") ?? "";
        expect(policy, path).toContain("frame-ancestors 'none'");
        expect(policy, path).toMatch(/script-src[^;]*'nonce-/);
      }
    });

    it("every portal route is in the route table", () => {
      const files = fs.readdirSync("app/routes").filter((f) => f.startsWith("portal.") && f !== "portal.tsx");
      const covered = new Set([...PORTAL_ROWS.map((r) => r.route), ...PORTAL_PUBLIC]);
      for (const f of files) expect(covered, f).toContain(routeOfFile(f));
    });

    /** What a refused request must leave as it was. */
    const snapshot = async () => ({
      orders: (await s.db.selectFrom("orders").select("id").where("account_id", "in", [a1.accountId, b1.accountId]).execute()).length,
      ledger: (await s.db.selectFrom("reseller_ledger").select("id").execute()).length,
      tokens: await s.db.selectFrom("reseller_tokens").select(["id", "revoked_at"]).orderBy("id").execute(),
      endpoints: await s.db.selectFrom("reseller_webhook_endpoints").select(["id", "deleted_at"]).orderBy("id").execute(),
      deliveries: (await s.db.selectFrom("reseller_webhook_deliveries").select("id").execute()).length,
      locales: await s.db.selectFrom("reseller_users").select(["id", "locale"]).orderBy("id").execute(),
      sessions: (await s.db.selectFrom("reseller_sessions").select("id").where("revoked_at", "is not", null).execute()).length,
    });

    it("signed out, or with only the merchant's admin cookie, every portal route sends to the portal login and changes nothing", async () => {
      await createAdminUser(s, { email: `merchant-${dialect}@a.example`, password: PORTAL_PASSWORD, accountId: a1.accountId });
      const admin = new AdminBrowser(app.url);
      expect((await admin.signIn(`merchant-${dialect}@a.example`, PORTAL_PASSWORD)).status).toBe(302);
      // And the portal's cookie is nothing to the admin.
      const portalAtAdmin = new AdminBrowser(app.url, {}, p1.jar);
      expect((await portalAtAdmin.get("/admin")).headers.get("location")).toMatch(/^\/login/);
      const before = await snapshot();
      for (const who of [new AdminBrowser(app.url), admin]) {
        for (const row of PORTAL_ROWS) {
          const url = portalUrl(row, ids);
          if (row.method === "GET") {
            const res = await who.get(url);
            expect(res.status, `${row.method} ${url}`).toBe(302);
            expect(res.headers.get("location"), url).toMatch(/^\/portal\/login/);
          } else {
            const res = await portalPost(who, url, { csrf: "x", ...row.fields?.(ids) });
            expect([202, 302], `${row.method} ${url} ${JSON.stringify(row.fields?.(ids))}`).toContain(res.status);
            expect(res.text, url).toContain("/portal/login");
          }
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it("the merchant's invite hook (resellerInviteAction): resellers.manage, CSRF, its own resellers only", async () => {
      const { resellerInviteAction } = await import("../../app/.server/http/reseller-invite-action.ts");
      const admin = new AdminBrowser(app.url);
      expect((await admin.signIn(`merchant-${dialect}@a.example`, PORTAL_PASSWORD)).status).toBe(302);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await (await admin.get("/admin/stores")).text())![1];
      const cookie = [...admin.jar].map(([k, v]) => `${k}=${v}`).join("; ");
      const call = async (fields: Record<string, string>) => {
        const request = new Request(`${app.url}/admin/resellers/${a2.resellerId}`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
        const out = await resellerInviteAction({ request, context: { services: s, clientIp: "127.0.0.1" } as never, params: {} }, "admin");
        return out as unknown as { init: { status?: number } | null; data: { ok: boolean } };
      };
      const email = `hook-${dialect}@reseller.example`;
      expect((await call({ csrf: "forged", resellerId: a2.resellerId, email })).init?.status).toBe(403);
      expect((await call({ csrf, resellerId: b1.resellerId, email })).init?.status).toBe(404);
      expect(await s.db.selectFrom("reseller_invitations").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
      const ok = await call({ csrf, resellerId: a2.resellerId, email });
      expect(ok.data).toMatchObject({ ok: true, email, sent: true });
      const inv = await s.db.selectFrom("reseller_invitations").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
      expect(inv).toMatchObject({ reseller_id: a2.resellerId, invited_by_type: "admin" });
      expect((await portalLinkFor(s, email)).path).toMatch(/^\/portal\/invite\//);
      // Not signed in as a merchant: the admin login, never an invitation.
      const anon = new Request(`${app.url}/admin/resellers/x`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrf, resellerId: a2.resellerId, email: "anon@x.example" }) });
      await expect(resellerInviteAction({ request: anon, context: { services: s, clientIp: "127.0.0.1" } as never, params: {} }, "admin")).rejects.toMatchObject({ status: 302 });
    });

    it("a second reseller of the account, and one of another account, get 404 for the first reseller's objects and change nothing", async () => {
      const before = await snapshot();
      for (const who of [p2, pb]) {
        const csrf = await csrfOf(who, "/portal");
        for (const row of PORTAL_ROWS.filter((r) => r.owned)) {
          const url = portalUrl(row, ids);
          const status = row.method === "GET" ? (await who.get(url)).status : (await portalPost(who, url, { csrf, ...row.fields?.(ids) })).status;
          expect(status, `${row.method} ${url} ${JSON.stringify(row.fields?.(ids))}`).toBe(404);
        }
        // Their own catalog never offers the other account's pool; ordering it is refused.
        const key = /name="idempotencyKey" value="(portal-[^"]+)"/.exec((await page(who, "/portal")).html)![1];
        if (who === pb) expect((await portalPost(who, "/portal", { csrf, idempotencyKey: key, pool: a1.poolId, quantity: "1" })).status).toBe(403);
      }
      expect(await snapshot()).toEqual(before);
      // Nothing of the first reseller's appears on their pages.
      for (const path of ["/portal/orders", "/portal/tokens", "/portal/webhooks", "/portal/balance"]) {
        const html = (await page(pb, path)).html;
        expect(html, path).not.toContain(ids.order);
        expect(html, path).not.toContain(ids.endpoint);
        expect(html, path).not.toContain(receiver.url);
      }
    });

    it("revoking and removing one's own works; the language switch is the portal user's own", async () => {
      const csrf = await csrfOf(p1, "/portal/tokens");
      expect((await portalPost(p1, "/portal/tokens", { csrf, intent: "revoke", tokenId: ids.token })).status).toBe(200);
      expect((await s.db.selectFrom("reseller_tokens").select("revoked_at").where("id", "=", ids.token).executeTakeFirstOrThrow()).revoked_at).not.toBeNull();
      const res = await p1.post("/portal/locale", { csrf, locale: "zh-CN", redirectTo: "/portal/orders" });
      expect(res.headers.get("location")).toBe("/portal/orders");
      expect((await page(p1, "/portal/orders")).html).toContain("订单");
      expect((await s.db.selectFrom("admin_users").select("locale").where("email", "=", `merchant-${dialect}@a.example`).executeTakeFirstOrThrow()).locale).not.toBe("zh-CN");
      expect((await portalPost(p1, "/portal/webhooks", { csrf, intent: "remove", endpointId: ids.endpoint })).status).toBe(200);
      expect((await s.db.selectFrom("reseller_webhook_endpoints").select("deleted_at").where("id", "=", ids.endpoint).executeTakeFirstOrThrow()).deleted_at).not.toBeNull();
    });

    it("portal sign-in limits: the admin's rules, counted apart from the merchant's login of the same email", async () => {
      const email = `two-${dialect}@reseller.example`;
      await createAdminUser(s, { email, password: PORTAL_PASSWORD, accountName: "Same email elsewhere" });
      const b = new AdminBrowser(app.url, { "x-forwarded-for": "203.0.113.9" });
      const csrf = await csrfOf(b, "/portal/login");
      for (let i = 0; i < s.config.login.maxAttempts; i++) expect((await b.post("/portal/login", { csrf, email, password: `Wrong-${i}-password` })).status).toBe(401);
      const limited = await b.post("/portal/login", { csrf, email, password: PORTAL_PASSWORD });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      // The merchant's admin login of the same address, from the same client, is not slowed.
      const admin = new AdminBrowser(app.url, { "x-forwarded-for": "203.0.113.9" });
      expect((await admin.signIn(email, PORTAL_PASSWORD)).status).toBe(302);
    });

    it("orders and the ledger are paged newest first, 20 at a time", async () => {
      const r = await makeReseller(s, { stock: 25, price: "0.10", topup: "10", prefix: `PG${dialect.slice(0, 2)}` });
      for (let i = 1; i <= 21; i++) {
        const res = await fetch(`${app.url}/api/v1/orders`, { method: "POST", headers: { authorization: `Bearer ${r.token}`, "content-type": "application/json", "idempotency-key": `page-${i}` }, body: JSON.stringify({ pool: r.poolId, quantity: 1, reference: `REF-${String(i).padStart(2, "0")}` }) });
        expect(res.status).toBe(201);
      }
      const b = await invitedPortalUser(s, app.url, r.accountId, r.resellerId, `pages-${dialect}@reseller.example`);
      const first = await page(b, "/portal/orders");
      const refs = (html: string) => [...html.matchAll(/>(REF-\d\d)</g)].map((m) => m[1]);
      expect(refs(first.html)).toEqual(Array.from({ length: 20 }, (_, i) => `REF-${String(21 - i).padStart(2, "0")}`));
      const older = /href="(\/portal\/orders\?cursor=[^"]+)"/.exec(first.html)![1].replace(/&amp;/g, "&");
      const second = await page(b, older);
      expect(refs(second.html)).toEqual(["REF-01"]);
      expect(second.html).not.toMatch(/\/portal\/orders\?cursor=/);
      const ledger = await page(b, "/portal/balance");
      const olderLedger = /href="(\/portal\/balance\?cursor=[^"]+)"/.exec(ledger.html)![1].replace(/&amp;/g, "&");
      const rest = await page(b, olderLedger);
      // 21 debits and the top-up: 20 on the first page, the oldest two after.
      expect(rest.html).toContain("wire");
      expect(ledger.html).not.toContain("wire");
    });

    it("a suspended reseller is signed out, cannot sign in, order or open its invitation", async () => {
      const pending = `late-${dialect}@reseller.example`;
      await inviteResellerUser(s, a1.accountId, { resellerId: a1.resellerId, email: pending }, cli);
      const link = await portalLinkFor(s, pending);
      const csrf = await csrfOf(p1, "/portal");
      const key = /name="idempotencyKey" value="(portal-[^"]+)"/.exec((await page(p1, "/portal")).html)![1];
      await setResellerSuspended(s, a1.accountId, a1.resellerId, true, cli);
      const ordersBefore = (await s.db.selectFrom("orders").select("id").where("reseller_id", "=", a1.resellerId).execute()).length;
      expect((await p1.get("/portal")).headers.get("location")).toMatch(/^\/portal\/login/);
      const order = await portalPost(p1, "/portal", { csrf, idempotencyKey: key, pool: a1.poolId, quantity: "1" });
      expect(order.text).toContain("/portal/login");
      expect((await s.db.selectFrom("orders").select("id").where("reseller_id", "=", a1.resellerId).execute()).length).toBe(ordersBefore);
      const b = new AdminBrowser(app.url);
      const c = await csrfOf(b, "/portal/login");
      const login = await b.post("/portal/login", { csrf: c, email: `one-${dialect}@reseller.example`, password: PORTAL_PASSWORD });
      expect(login.status).toBe(403);
      expect(await login.text()).toContain("suspended");
      expect((await page(new AdminBrowser(app.url), link.path)).status).toBe(403);
      await setResellerSuspended(s, a1.accountId, a1.resellerId, false, cli);
    });
  });
}
