import { USER_ID } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeMemberRole } from "../../app/.server/use-cases/manage-team-members.ts";
import { CLI_TEAM_ACTOR } from "../../app/.server/use-cases/team-actor.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { signInOverHttp, type AdminHttpSession } from "../support/admin-http-session.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { embeddedPage, embeddedPost } from "../support/embedded-request.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Linked stores over HTTP on the production build, both admins: the standalone admin makes a code,
 * the embedded app of a freshly installed shop redeems it and from then on shows the linked
 * account's stores; unlinking splits a store off. A second account (standalone or embedded) gets
 * 404 on every new action for the first account's stores and changes nothing; a guessing client
 * gets 429.
 */

const PASSWORD = "correct-horse-battery";
const CODE = /[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}/;

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`linked stores over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let merchant: AdminHttpSession;
    let intruder: AdminHttpSession;
    let wooAccount: string;
    let wooStore: Store;
    let shopStore: Store;
    let strangerStore: Store;
    const shopName = `linked-${dialect}`;
    const shop = `${shopName}.myshopify.com`;
    const strangerShop = `stranger-${dialect}`;
    const embedded = (name: string, fields: Record<string, string>) => embeddedPost(http.url, "/app/stores.data", name, fields);
    const storesPage = async (name: string) => (await embeddedPage(http.url, "/app/stores", name)).text();
    const accountOf = async (id: string) => (await s.db.selectFrom("stores").select("account_id").where("id", "=", id).executeTakeFirstOrThrow()).account_id;
    const snapshot = async () => JSON.stringify(await s.db.selectFrom("stores").select(["id", "account_id"]).orderBy("id").execute()) + JSON.stringify(await s.db.selectFrom("product_mappings").select("id").orderBy("id").execute());

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { ...SHOPIFY_ENV, LOGIN_MAX_ATTEMPTS: "50" } });
      http = await startHttp(s);
      const m = await createAdminUser(s, { email: "merchant@example.com", password: PASSWORD, accountName: "Woo merchant" });
      wooAccount = m.accountId;
      await createPool(s, wooAccount, { name: "Steam 50" }, { type: "cli" });
      wooStore = await insertStore(s.db, { accountId: wooAccount, platform: "woocommerce", domain: "https://woo.example", name: "Woo shop" });
      const other = await createAdminUser(s, { email: "intruder@example.com", password: PASSWORD, accountName: "Someone else" });
      await insertStore(s.db, { accountId: other.accountId, platform: "woocommerce", domain: "https://intruder.example", name: "Intruder shop" });
      shopStore = await installShopifyShop(s, { shop });
      await storeOfflineSession(s, shop);
      strangerStore = await installShopifyShop(s, { shop: `${strangerShop}.myshopify.com` });
      await storeOfflineSession(s, `${strangerShop}.myshopify.com`);
      merchant = await signInOverHttp(http.url, "merchant@example.com", PASSWORD);
      intruder = await signInOverHttp(http.url, "intruder@example.com", PASSWORD);
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    it("the standalone admin makes a code; the embedded app redeems it and then shows the linked account", async () => {
      const html = await (await merchant.get("/admin/stores")).text();
      expect(html).toContain("Link another store");
      const made = await merchant.post("/admin/stores", { intent: "link-code" });
      expect(made.status).toBe(200);
      const code = CODE.exec(await made.text())![0];
      expect(await storesPage(shopName)).toContain("Link to an existing keyrelay account");
      const linked = await embedded(shopName, { intent: "link", storeId: shopStore.id, code });
      expect(linked.status).toBe(200);
      expect(await linked.text()).toContain("Woo merchant");
      expect(await accountOf(shopStore.id)).toBe(wooAccount);
      // The shop's admin is the linked account's now: both stores. Its staff are support there (the
      // account has an owner), so Unlink… is offered to the owner, not in the shop's admin.
      const after = await storesPage(shopName);
      expect(after).toContain("Woo shop");
      expect(after).not.toContain("Unlink…");
      expect(await (await merchant.get("/admin/stores")).text()).toContain("Unlink…");
      const audit = await s.db.selectFrom("audit_log").select(["actor_type", "actor_id"]).where("action", "=", "store_link.redeemed").execute();
      expect(audit).toEqual([{ actor_type: "shopify_staff", actor_id: shop }]);
    });

    it("another account gets 404 on linking or splitting this account's stores, standalone and embedded, and nothing changes", async () => {
      const before = await snapshot();
      const own = CODE.exec(await (await intruder.post("/admin/stores", { intent: "link-code" })).text())![0];
      for (const storeId of [wooStore.id, shopStore.id]) {
        expect((await intruder.post("/admin/stores", { intent: "split", storeId })).status).toBe(404);
        expect((await intruder.post("/admin/stores", { intent: "link", storeId, code: own })).status).toBe(404);
        expect((await embedded(strangerShop, { intent: "split", storeId })).status).toBe(404);
        expect((await embedded(strangerShop, { intent: "link", storeId, code: own })).status).toBe(404);
      }
      // …and the linked account cannot touch the stranger's shop either.
      expect((await merchant.post("/admin/stores", { intent: "split", storeId: strangerStore.id })).status).toBe(404);
      // The shop's staff joined an account that had an owner, so they are support there (who may
      // not split at all: 403); as its owner they still find no stranger's store.
      await changeMemberRole(s, wooAccount, { kind: "shopify", shop, userId: String(USER_ID) }, "owner", CLI_TEAM_ACTOR);
      expect((await embedded(shopName, { intent: "split", storeId: strangerStore.id })).status).toBe(404);
      expect(await snapshot()).toBe(before);
      expect(await s.db.selectFrom("link_codes").select("id").where("used_at", "is not", null).execute()).toHaveLength(1);
    });

    it("a wrong code is a 400 naming the field; guessing on is a 429", async () => {
      const first = await embedded(strangerShop, { intent: "link", storeId: strangerStore.id, code: "ZZZZZ-ZZZZZ" });
      expect(first.status).toBe(400);
      const body = await first.text();
      expect(body).toContain("link_code_invalid");
      expect(body).toContain("code");
      let last = first;
      for (let i = 0; i < 10; i++) last = await embedded(strangerShop, { intent: "link", storeId: strangerStore.id, code: "ZZZZZ-ZZZZZ" });
      expect(last.status).toBe(429);
      expect(await accountOf(strangerStore.id)).not.toBe(wooAccount);
    });

    it("split off from the standalone admin: the shop gets an account of its own and its admin shows only itself", async () => {
      const res = await merchant.post("/admin/stores", { intent: "split", storeId: shopStore.id });
      expect(res.status).toBe(200);
      const moved = await accountOf(shopStore.id);
      expect(moved).not.toBe(wooAccount);
      const page = await storesPage(shopName);
      expect(page).not.toContain("Woo shop");
      expect(page).not.toContain("Unlink…");
      // The account's last store stays.
      const last = await merchant.post("/admin/stores", { intent: "split", storeId: wooStore.id });
      expect(last.status).toBe(400);
      expect(await last.text()).toContain("split_last_store");
      expect(await accountOf(wooStore.id)).toBe(wooAccount);
    });
  });
}
