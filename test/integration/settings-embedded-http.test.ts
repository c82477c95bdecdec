import { TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { startHttp } from "../support/http-server.ts";
import { embeddedPage, embeddedPost } from "../support/embedded-request.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The settings page in the embedded admin (/app/settings, Shopify session tokens) over the built
 * server: the shop's staff member sees and saves the account's settings (audited as that staff
 * member), previews and tests a template, and another shop's token reaches only its own account —
 * A's pool is 404 to it, A's settings and templates stay as they were.
 */

const OTHER_SHOP = "other-shop.myshopify.com";

describe("settings in the embedded admin (session tokens)", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  let smtp: TestSmtpServer;
  let accountA: string;
  let accountB: string;
  let poolA: string;

  const post = (shopName: string, fields: Record<string, string>) => embeddedPost(http.url, "/app/settings.data", shopName, fields);
  const account = (id: string) => s.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const pool = (id: string) => s.db.selectFrom("pools").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await makeServices({ dialect: "sqlite", env: { ...SHOPIFY_ENV, SMTP_URL: smtp.url, MAIL_FROM: "keyrelay <no-reply@keyrelay.test>" } });
    http = await startHttp(s);
    accountA = (await installShopifyShop(s, { shop: TEST_SHOP })).account_id;
    await storeOfflineSession(s, TEST_SHOP);
    accountB = (await installShopifyShop(s, { shop: OTHER_SHOP })).account_id;
    await storeOfflineSession(s, OTHER_SHOP);
    poolA = (await createPool(s, accountA, { name: "Steam card", refundPolicy: "revoke" }, { type: "cli" })).id;
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
    await smtp?.stop();
  });

  it("shows the page inside Shopify and saves a setting, audited as the shop's staff member", async () => {
    const page = await embeddedPage(http.url, "/app/settings", TEST_SHOP_NAME);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Steam card");
    expect(html).toContain('name="account.timezone"');

    const saved = await post(TEST_SHOP_NAME, { intent: "save", "account.name": "Shop A 卡密", "account.timezone": "Asia/Shanghai" });
    expect(saved.status).toBe(200);
    expect(await account(accountA)).toMatchObject({ name: "Shop A 卡密", time_zone: "Asia/Shanghai" });
    const audit = await s.db.selectFrom("audit_log").select(["actor_type", "actor_id", "details"]).where("action", "=", "settings.changed").where("account_id", "=", accountA).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: "shopify_staff", actor_id: TEST_SHOP });
    expect(JSON.parse(audit[0].details!).changes["account.timezone"]).toEqual({ before: "UTC", after: "Asia/Shanghai" });

    const bad = await post(TEST_SHOP_NAME, { intent: "save", "account.currency": "XYZ", "account.name": "Renamed" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("settings_currency_invalid");
    expect((await account(accountA)).name).toBe("Shop A 卡密");
  });

  it("previews a template and sends its test to the typed address (no staff email is known embedded)", async () => {
    const template = { subject: "Your {{order}} keys", html: "<p>{{keys}}</p>", text: "{{keys}}" };
    const preview = await post(TEST_SHOP_NAME, { intent: "template-preview", poolId: poolA, ...template });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("zh-CN");
    const sent = await post(TEST_SHOP_NAME, { intent: "template-test", poolId: poolA, locale: "zh-CN", to: "staff@shop-a.example", ...template });
    expect(sent.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (!smtp.received.some((m) => m.envelope.to.includes("staff@shop-a.example"))) {
      if (Date.now() > deadline) throw new Error("no template test email");
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it("another shop's token saves only its own account; A's pool is 404 to it and A is unchanged", async () => {
    const beforeAccount = await account(accountA);
    const beforePool = await pool(poolA);
    expect((await post("other-shop", { intent: "save", "account.name": "Taken over" })).status).toBe(200);
    expect((await account(accountB)).name).toBe("Taken over");
    for (const intent of ["template-preview", "template-save", "template-test"]) {
      const res = await post("other-shop", { intent, poolId: poolA, subject: "Hijacked {{order}}", html: "<p>{{keys}}</p>", text: "{{keys}}", to: "thief@example.com", locale: "en" });
      expect(res.status, intent).toBe(404);
      expect(await res.text(), intent).not.toContain("Steam card");
    }
    expect(await account(accountA)).toEqual(beforeAccount);
    expect(await pool(poolA)).toEqual(beforePool);
    expect(smtp.received.some((m) => m.envelope.to.includes("thief@example.com"))).toBe(false);
  });
});
