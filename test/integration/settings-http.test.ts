import type { AddressObject } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMapping } from "../../app/.server/db/repositories/mappings-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { setAdminRole } from "../../app/.server/db/repositories/team-repo.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { paidOrder, stockPool } from "../support/fulfilment-fixtures.ts";
import { startHttp } from "../support/http-server.ts";
import { runCli } from "../support/run-cli.ts";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../support/smtp-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The settings page over the built server on SQLite and Postgres, with mail through a real SMTP
 * server: save and read back (audited before/after), a bad value refused naming its field with
 * nothing changed, another account's pool a 404, roles other than owner refused, the SMTP test and
 * the delivery email carrying the sender name and reply-to, the template preview escaping what it
 * shows, and the CLI twins as a separate process.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const EVIL = `<img src=x onerror="alert(1)">`;

function addresses(a: AddressObject | AddressObject[] | undefined) {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => ({ name: v.name, address: v.address })));
}

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`settings over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let smtp: TestSmtpServer;
    let accountA: string;
    let accountB: string;
    let poolA: string;
    let storeA: Awaited<ReturnType<typeof insertStore>>;
    let ownerA: AdminBrowser;
    let ownerB: AdminBrowser;
    let csrfA: string;
    let csrfB: string;
    let ip = 40;

    beforeAll(async () => {
      smtp = await startSmtpServer();
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100", SMTP_URL: smtp.url, MAIL_FROM: "keyrelay <no-reply@keyrelay.test>" } });
      http = await startHttp(s);
      accountA = (await createAdminUser(s, { email: "owner@a.example", password: PASSWORD, accountName: "Shop A" })).accountId;
      accountB = (await createAdminUser(s, { email: "owner@b.example", password: PASSWORD, accountName: "Shop B" })).accountId;
      storeA = await insertStore(s.db, { accountId: accountA, platform: "woocommerce", domain: "shop-a.example", name: `Shop ${EVIL}` });
      // WooCommerce mails the buyer itself unless the store sends keyrelay's email too.
      await s.db.updateTable("stores").set({ settings: JSON.stringify({ sendEmail: true }) }).where("id", "=", storeA.id).execute();
      storeA.settings = JSON.stringify({ sendEmail: true });
      poolA = (await createPool(s, accountA, { name: `Card ${EVIL}`, refundPolicy: "revoke" }, { type: "cli" })).id;
      await upsertMapping(s.db, { accountId: accountA, storeId: storeA.id, poolId: poolA, productId: "P1", variantId: null, title: "Card", unitsPerItem: 1, syncStock: false });
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
    const settingsA = (fields: Record<string, string>) => ownerA.post("/admin/settings.data", { csrf: csrfA, ...fields });
    const account = (id: string) => s.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const audits = (action: string, accountId: string) => s.db.selectFrom("audit_log").selectAll().where("action", "=", action).where("account_id", "=", accountId).orderBy("id").execute();
    async function mailTo(address: string, nth = 1): Promise<ReceivedMail> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const mails = smtp.received.filter((m) => m.envelope.to.includes(address));
        if (mails.length >= nth) return mails[nth - 1];
        if (Date.now() > deadline) throw new Error(`no email #${nth} to ${address}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it("saves every setting, shows them back, and audits before and after of what changed", async () => {
      const res = await settingsA({
        intent: "save",
        "account.name": "Shop A Ltd",
        "account.timezone": "Asia/Shanghai",
        "account.currency": "cny",
        "account.language": "zh-CN",
        "email.sender_name": "Shop A 卡密",
        "email.reply_to": "Help@Shop-A.example",
        "low_stock.threshold": "12",
        "low_stock.alert_email": "stock@shop-a.example",
      });
      expect(res.status).toBe(200);
      expect(await account(accountA)).toMatchObject({
        name: "Shop A Ltd",
        time_zone: "Asia/Shanghai",
        currency: "CNY",
        default_locale: "zh-CN",
        mail_sender_name: "Shop A 卡密",
        mail_reply_to: "help@shop-a.example",
        alert_email: "stock@shop-a.example",
      });
      expect(Number((await account(accountA)).low_stock_threshold)).toBe(12);
      const page = await ownerA.get("/admin/settings");
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("Shop A 卡密");
      expect(html).toContain("help@shop-a.example");
      const [audit] = await audits("settings.changed", accountA);
      expect(JSON.parse(audit.details!).changes).toMatchObject({
        "account.name": { before: "Shop A", after: "Shop A Ltd" },
        "account.timezone": { before: "UTC", after: "Asia/Shanghai" },
        "low_stock.threshold": { before: 0, after: 12 },
      });
      expect(audit.actor_type).toBe("admin");
      // Saving the same again changes nothing and writes no row.
      await settingsA({ intent: "save", "account.name": "Shop A Ltd" });
      expect(await audits("settings.changed", accountA)).toHaveLength(1);
      // New pools start with the account's threshold.
      const pool = await createPool(s, accountA, { name: "Second", refundPolicy: "revoke" }, { type: "cli" });
      expect(pool.low_stock_threshold).toBe(12);
    });

    it("refuses a bad value with 400 naming its field, and changes nothing else sent with it", async () => {
      const before = await account(accountA);
      for (const [field, value, code] of [
        ["account.timezone", "Mars/Olympus_Mons", "settings_timezone_invalid"],
        ["account.currency", "XYZ", "settings_currency_invalid"],
        ["email.sender_name", "Shop\r\nBcc: victim@example.com", "settings_sender_control"],
        ["email.reply_to", "help@shop-a.example\r\nBcc: victim@example.com", "settings_email_control"],
        ["low_stock.threshold", "-3", "settings_threshold_invalid"],
      ]) {
        const res = await settingsA({ intent: "save", "account.name": "Renamed", [field]: value });
        expect(res.status, field).toBe(400);
        const body = await res.text();
        expect(body, field).toContain(code);
        expect(body, field).toContain(field);
      }
      expect(await account(accountA)).toEqual(before);
    });

    it("another account's owner reaches only their own account: A's pool is 404 to them and A is unchanged", async () => {
      const before = await account(accountA);
      const templateBefore = await s.db.selectFrom("pools").selectAll().where("id", "=", poolA).executeTakeFirstOrThrow();
      const b = (fields: Record<string, string>) => ownerB.post("/admin/settings.data", { csrf: csrfB, ...fields });
      expect((await b({ intent: "template-save", poolId: poolA, subject: "Stolen {{order}}" })).status).toBe(404);
      expect((await b({ intent: "template-preview", poolId: poolA })).status).toBe(404);
      expect((await b({ intent: "template-test", poolId: poolA, to: "x@b.example" })).status).toBe(404);
      expect((await b({ intent: "save", "account.name": "B renamed" })).status).toBe(200);
      expect((await account(accountB)).name).toBe("B renamed");
      expect(await account(accountA)).toEqual(before);
      expect(await s.db.selectFrom("pools").selectAll().where("id", "=", poolA).executeTakeFirstOrThrow()).toEqual(templateBefore);
      // The page of B shows B's pools only (none).
      expect(await (await ownerB.get("/admin/settings")).text()).not.toContain("Card &lt;img");
    });

    it("refuses the page and every save to managers, support and viewers (403), audited", async () => {
      const before = await account(accountA);
      for (const role of ["manager", "support", "viewer"] as const) {
        const email = `${role}@a.example`;
        const { userId } = await createAdminUser(s, { email, password: PASSWORD, accountId: accountA });
        await setAdminRole(s.db, accountA, userId, role);
        const b = await browser().signedIn(email, PASSWORD);
        const csrf = await b.csrf();
        expect((await b.get("/admin/settings")).status, role).toBe(403);
        const res = await b.post("/admin/settings.data", { csrf, intent: "save", "account.name": `Taken by ${role}` });
        expect(res.status, role).toBe(403);
        expect((await b.post("/admin/settings.data", { csrf, intent: "template-save", poolId: poolA, subject: "x {{order}}" })).status, role).toBe(403);
      }
      expect(await account(accountA)).toEqual(before);
      const denied = (await audits("access.denied", accountA)).map((a) => JSON.parse(a.details!).permission);
      expect(denied.filter((p) => p === "settings.manage").length).toBeGreaterThanOrEqual(9);
    });

    it("the SMTP test reaches the signed-in admin (whatever the form says) with the sender name and reply-to", async () => {
      const res = await settingsA({ intent: "smtp-test", to: "someone-else@example.com" });
      expect(res.status).toBe(200);
      const mail = await mailTo("owner@a.example");
      expect(addresses(mail.parsed.from)).toEqual([{ name: "Shop A 卡密", address: "no-reply@keyrelay.test" }]);
      expect(addresses(mail.parsed.replyTo)).toEqual([{ name: "", address: "help@shop-a.example" }]);
      expect(mail.parsed.subject).toContain("Shop A Ltd");
      expect(smtp.received.some((m) => m.envelope.to.includes("someone-else@example.com"))).toBe(false);
      expect((await audits("settings.email_tested", accountA)).map((a) => JSON.parse(a.details!))).toEqual([{ to: "owner@a.example", sent: true }]);
    });

    it("the SMTP test shows the mail server's error code, never its credentials", async () => {
      const down = await makeServices({ dialect, env: { SMTP_URL: "smtp://mailer:hunter2-secret@127.0.0.1:1", TRUST_PROXY: "1" } });
      const downHttp = await startHttp(down);
      try {
        const accountId = (await createAdminUser(down, { email: "owner@down.example", password: PASSWORD, accountName: "Down" })).accountId;
        const b = await new AdminBrowser(downHttp.url, { "x-forwarded-for": "198.51.100.7" }).signedIn("owner@down.example", PASSWORD);
        const res = await b.post("/admin/settings.data", { csrf: await b.csrf(), intent: "smtp-test" });
        expect(res.status).toBe(200);
        const body = await res.text();
        // Nodemailer's code for a refused connection.
        expect(body).toContain("ESOCKET");
        expect(body).not.toContain("hunter2");
        const [audit] = await down.db.selectFrom("audit_log").selectAll().where("account_id", "=", accountId).where("action", "=", "settings.email_tested").execute();
        expect(JSON.parse(audit.details!)).toMatchObject({ sent: false, detail: "ESOCKET" });
      } finally {
        await downHttp.close();
        await down.cleanup();
      }
    });

    it("test emails are capped per account (embedded, a test goes to any typed address: a mail relay otherwise)", async () => {
      // An account of its own, so the other tests' sends do not count.
      await createAdminUser(s, { email: "owner@relay.example", password: PASSWORD, accountName: "Relay" });
      const b = await browser().signedIn("owner@relay.example", PASSWORD);
      const csrf = await b.csrf();
      const sent = () => smtp.received.filter((m) => m.envelope.to.includes("owner@relay.example")).length;
      for (let i = 0; i < 10; i++) expect((await b.post("/admin/settings.data", { csrf, intent: "smtp-test" })).status, `test ${i + 1}`).toBe(200);
      await mailTo("owner@relay.example", 10);
      const refused = await b.post("/admin/settings.data", { csrf, intent: "smtp-test" });
      expect(refused.status).toBe(429);
      expect(await refused.text()).toContain("mail_test_rate_limited");
      // Another account is not held back by it.
      expect((await ownerB.post("/admin/settings.data", { csrf: csrfB, intent: "smtp-test" })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(sent()).toBe(10);
    });

    it("the buyer's delivery email is from the sender name at MAIL_FROM's address, with the reply-to", async () => {
      await stockPool(s, accountA, poolA, ["REAL-KEY-0001"]);
      const order = await applyHostOrder(s, storeA, paidOrder({ id: "7001", quantity: 1, email: "buyer@a.example" }));
      const [job] = await s.db.selectFrom("jobs").selectAll().where("queue", "=", "send-email").where("payload", "like", `%${order.orderId}%`).execute();
      if (job?.status === "pending") await s.jobs.runJob(job.id);
      const mail = await mailTo("buyer@a.example");
      expect(mail.parsed.text).toContain("REAL-KEY-0001");
      expect(addresses(mail.parsed.from)).toEqual([{ name: "Shop A 卡密", address: "no-reply@keyrelay.test" }]);
      expect(addresses(mail.parsed.replyTo)).toEqual([{ name: "", address: "help@shop-a.example" }]);
    });

    it("previews a pool's template in both languages through the email's renderer, escaping names and sample keys", async () => {
      const res = await settingsA({ intent: "template-preview", poolId: poolA, subject: "{{order}} from {{shop}}", html: "<h1>Hi {{buyer}}</h1>{{keys}}", text: "" });
      expect(res.status).toBe(200);
      const body = await res.text();
      // The single-fetch answer is a flat JSON array of its values: the two HTML documents are among them.
      const strings = (JSON.parse(body) as unknown[]).filter((v): v is string => typeof v === "string");
      const htmls = strings.filter((v) => v.startsWith("<h1>Hi "));
      expect(htmls).toHaveLength(2);
      // The store and pool names hold markup: the HTML carries them as text (subject and text bodies are not HTML).
      for (const html of htmls) {
        expect(html).toContain("Card &lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
        expect(html).not.toContain("<img");
        expect(html).toContain("XXXX-XXXX-XXXX");
      }
      // Both languages, each with its own sample buyer.
      expect(htmls.some((h) => h.startsWith("<h1>Hi Alex</h1>"))).toBe(true);
      expect(htmls.some((h) => h.startsWith("<h1>Hi 小王</h1>"))).toBe(true);
      expect(strings).toContain(`#1001 from Shop ${EVIL}`);
      expect(body).not.toContain("REAL-KEY-0001");
      // A template without {{keys}} is refused naming the field, and not saved.
      const bad = await settingsA({ intent: "template-save", poolId: poolA, subject: "", html: "<p>no keys</p>", text: "" });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain("email_template_keys_required");
      expect((await s.db.selectFrom("pools").select("email_html").where("id", "=", poolA).executeTakeFirstOrThrow()).email_html).toBeNull();
    });

    it("saves a pool's template, sends a test with sample keys only, and the delivery email then uses it", async () => {
      const tpl = { subject: "Your {{products}} · {{order}}", text: "Hello {{buyer}}!\n\n{{keys}}\n\n-- {{shop}}", html: "" };
      expect((await settingsA({ intent: "template-save", poolId: poolA, ...tpl })).status).toBe(200);
      const [audit] = await audits("pool.email_template_changed", accountA);
      expect(JSON.parse(audit.details!).fields).toMatchObject({ subject: { before: 0 }, text: { before: 0 } });
      expect(audit.details).not.toContain("Hello");

      expect((await settingsA({ intent: "template-test", poolId: poolA, locale: "zh-CN", ...tpl })).status).toBe(200);
      const test = await mailTo("owner@a.example", 2);
      expect(test.parsed.subject).toBe("Your Card <img src=x onerror=\"alert(1)\"> · #1001");
      expect(test.parsed.text).toContain("XXXX-XXXX-XXXX");
      expect(test.parsed.text).not.toContain("REAL-KEY");
      expect(addresses(test.parsed.from)[0].name).toBe("Shop A 卡密");

      await stockPool(s, accountA, poolA, ["REAL-KEY-0002"]);
      const order = await applyHostOrder(s, storeA, paidOrder({ id: "7002", quantity: 1, email: "buyer2@a.example" }));
      const [job] = await s.db.selectFrom("jobs").selectAll().where("queue", "=", "send-email").where("payload", "like", `%${order.orderId}%`).execute();
      if (job?.status === "pending") await s.jobs.runJob(job.id);
      const mail = await mailTo("buyer2@a.example");
      // The order line's title (the host's product), as in every delivery email.
      expect(mail.parsed.subject).toBe("Your Game card · #7002");
      expect(mail.parsed.text).toContain("REAL-KEY-0002");
      expect(mail.parsed.text?.startsWith("Hello Ada Buyer!")).toBe(true);
    });

    it("CLI: settings get and set with --json as a separate process, the page's validation, audited as cli", async () => {
      const one = await runCli(["settings", "get", "account.timezone", "--account", accountA, "--json"], { env: s.env });
      expect(one.code, one.stderr).toBe(0);
      expect(JSON.parse(one.stdout)).toEqual({ accountId: accountA, settings: { "account.timezone": "Asia/Shanghai" } });

      const set = await runCli(["settings", "set", "email.sender_name", "Shop A Support", "--account", accountA, "--json"], { env: s.env });
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(set.stdout)).toEqual({ accountId: accountA, key: "email.sender_name", value: "Shop A Support", changed: true });
      expect((await account(accountA)).mail_sender_name).toBe("Shop A Support");
      const last = (await audits("settings.changed", accountA)).at(-1)!;
      expect(last.actor_type).toBe("cli");
      expect(JSON.parse(last.details!).changes).toEqual({ "email.sender_name": { before: "Shop A 卡密", after: "Shop A Support" } });

      const bad = await runCli(["settings", "set", "account.currency", "XYZ", "--account", accountA, "--json"], { env: s.env });
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout).error).toMatchObject({ code: "settings_currency_invalid", field: "account.currency" });
      const unknown = await runCli(["settings", "set", "account.owner", "me", "--account", accountA, "--json"], { env: s.env });
      expect(unknown.code).toBe(2);
      expect(JSON.parse(unknown.stdout).error.code).toBe("settings_key_unknown");

      const all = JSON.parse((await runCli(["settings", "get", "--account", accountA, "--json"], { env: s.env })).stdout);
      expect(Object.keys(all.settings)).toEqual([
        "account.name",
        "account.timezone",
        "account.currency",
        "account.language",
        "email.sender_name",
        "email.reply_to",
        "low_stock.threshold",
        "low_stock.alert_email",
        "risk.host_wait_minutes",
        "risk.host_fallback",
        "audit.retention_days",
      ]);
      expect(all.settings["low_stock.threshold"]).toBe(12);
      const human = await runCli(["settings", "get", "email.reply_to", "--account", accountA, "--locale=zh-CN"], { env: s.env });
      expect(human.stdout.trim()).toBe("email.reply_to = help@shop-a.example");
    });
  });
}
