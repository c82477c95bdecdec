import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { insertAdminUser } from "../../app/.server/db/repositories/admin-users-repo.ts";
import { countOwners, insertShopifyStaff } from "../../app/.server/db/repositories/team-repo.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import type { Store } from "../../app/.server/db/schema.ts";
import type { KeyrelayError } from "../../app/.server/domain/errors.ts";
import { LINK_ATTEMPTS_PER_ACCOUNT } from "../../app/.server/auth/link-code-limiter.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { connectWooCommerceStore } from "../../app/.server/use-cases/connect-woocommerce-store.ts";
import { createLinkCode } from "../../app/.server/use-cases/create-link-code.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { mapProduct } from "../../app/.server/use-cases/manage-mappings.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { changeMemberRole } from "../../app/.server/use-cases/manage-team-members.ts";
import { redeemLinkCode } from "../../app/.server/use-cases/redeem-link-code.ts";
import { shopifyStaffRole } from "../../app/.server/use-cases/shopify-staff-role.ts";
import { splitOffStore } from "../../app/.server/use-cases/split-off-store.ts";
import { dialects } from "../support/dialects.ts";
import { startFakeShopify, type FakeShopify } from "../support/fake-shopify.ts";
import { startFakeWooCommerce, type FakeWooCommerce } from "../support/fake-woocommerce.ts";
import { stockPool } from "../support/fulfilment-fixtures.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { codes, inParallel, orderFor, runStockSyncs } from "../support/stock-sync-helpers.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Linked stores on the use-cases, with the fake Shopify and the fake WooCommerce: a WooCommerce
 * merchant's account links a freshly installed Shopify shop with a one-time code; codes are single
 * use, short-lived and rate limited; an account with pools is never merged silently; a store is
 * split off (its host stock set to 0) and linked again; then both stores sell from the one pool at
 * once: no key twice, and both hosts show the pool's available count.
 */

const cli = { type: "cli" as const };
const admin = (id: string) => ({ type: "admin" as const, id });
const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: KeyrelayError) => e.code);

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`linked stores on ${dialect}`, () => {
    let s: TestServices;
    let shopify: FakeShopify;
    let wc: FakeWooCommerce;
    let wooAccount: string;
    let wooStore: Store;
    let shopStore: Store;
    let shopAccount: string;
    let poolId: string;
    let wooProduct: number;
    let shopProduct: string;
    let shopVariant: string;
    const shop = `linked-${dialect}.myshopify.com`;
    const storeRow = (id: string) => s.db.selectFrom("stores").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const audits = (action: string) => s.db.selectFrom("audit_log").select(["account_id", "details", "ip"]).where("action", "=", action).orderBy("id").execute();
    const accountCount = () => s.db.selectFrom("accounts").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow().then((r) => Number(r.n));
    /** A fresh store in an account of its own (nothing else), to redeem codes with. */
    const loneStore = async (name: string) => {
      const account = await createAccount(s.db, { name });
      return insertStore(s.db, { accountId: account.id, platform: "woocommerce", domain: `https://${name}.example`, name });
    };

    beforeAll(async () => {
      shopify = await startFakeShopify({ shop, accessToken: "shpat_test_token" });
      wc = await startFakeWooCommerce();
      s = await makeServices({ dialect, env: { ...SHOPIFY_ENV, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin, STOCK_SYNC_WINDOW_MS: "600000", HOST_REQUEST_TIMEOUT_MS: "3000" } });
      wooAccount = (await createAccount(s.db, { name: "Woo merchant" })).id;
      poolId = (await createPool(s, wooAccount, { name: "Steam 50" }, cli)).id;
      await stockPool(s, wooAccount, poolId, codes(`LK${dialect}`, 60));
      wooStore = await storeRow((await connectWooCommerceStore(s, wooAccount, { ...wc.connection }, cli)).id);
      wooProduct = wc.createProduct({ name: "Steam 50" }).id;
      await mapProduct(s, wooAccount, { storeId: wooStore.id, productId: String(wooProduct), poolId }, cli);

      // The Shopify shop installs: an account of its own, as today.
      shopStore = await installShopifyShop(s, { shop });
      shopAccount = shopStore.account_id;
      await storeOfflineSession(s, shop);
      const p = shopify.createProduct({ title: "Steam 50", variants: [{ title: "Default", available: 0 }] });
      shopProduct = p.productId;
      shopVariant = p.variantIds[0];
    });
    afterAll(async () => {
      await s?.cleanup();
      await shopify?.close();
      await wc?.close();
    });

    it("a code made in the WooCommerce account links the Shopify shop; the shop resolves to it from then on, reinstalls included", async () => {
      // An unmapped order the shop had before linking comes along with it.
      await applyHostOrder(s, shopStore, orderFor([{ productId: "other", variantId: null, quantity: 1 }]));
      const made = await createLinkCode(s, wooAccount, admin("woo-admin"));
      expect(made.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
      expect(Date.parse(made.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
      // Only the hash is stored.
      const stored = await s.db.selectFrom("link_codes").selectAll().execute();
      expect(JSON.stringify(stored)).not.toContain(made.code.replace("-", ""));

      const linked = await redeemLinkCode(s, shopAccount, { storeId: shopStore.id, code: made.code.toLowerCase(), ip: "203.0.113.5" }, { type: "shopify_staff", id: shop });
      expect(linked).toMatchObject({ storeId: shopStore.id, accountId: wooAccount, accountName: "Woo merchant", orders: 1 });
      expect((await storeRow(shopStore.id)).account_id).toBe(wooAccount);
      expect(await s.db.selectFrom("orders").select("account_id").where("store_id", "=", shopStore.id).execute()).toEqual([{ account_id: wooAccount }]);
      expect(await s.db.selectFrom("order_lines").select("id").where("account_id", "=", shopAccount).execute()).toEqual([]);

      const accounts = await accountCount();
      expect((await installShopifyShop(s, { shop })).account_id).toBe(wooAccount);
      await s.db.updateTable("stores").set({ status: "uninstalled" }).where("id", "=", shopStore.id).execute();
      const reinstalled = await installShopifyShop(s, { shop });
      expect(reinstalled).toMatchObject({ account_id: wooAccount, status: "active" });
      expect(await accountCount()).toBe(accounts);

      expect((await audits("store_link.code_created")).map((a) => a.account_id)).toEqual([wooAccount]);
      const redeemed = await audits("store_link.redeemed");
      expect(redeemed).toHaveLength(1);
      expect(redeemed[0]).toMatchObject({ account_id: wooAccount, ip: "203.0.113.5" });
      expect(JSON.parse(redeemed[0].details!)).toMatchObject({ fromAccountId: shopAccount, toAccountId: wooAccount, orders: 1 });
      expect((await audits("store.linked_away")).map((a) => a.account_id)).toEqual([shopAccount]);
    });

    it("a used, expired, mistyped or own code is refused with one message and changes nothing; each attempt is audited", async () => {
      const used = (await s.db.selectFrom("link_codes").select("id").where("used_at", "is not", null).execute()).length;
      expect(used).toBe(1);
      const lone = await loneStore(`lone-${dialect}`);
      const redeem = (code: string, accountId = lone.account_id, storeId = lone.id) => codeOf(redeemLinkCode(s, accountId, { storeId, code, ip: null }, cli));
      const spent = await createLinkCode(s, wooAccount, cli);
      expect(await redeem(spent.code)).toBe("ok");
      // The code moved `lone` into the WooCommerce account; a second store tries the same code.
      const second = await loneStore(`second-${dialect}`);
      expect(await redeem(spent.code, second.account_id, second.id)).toBe("link_code_invalid");
      const expired = await createLinkCode(s, wooAccount, cli, new Date(Date.now() - 16 * 60_000));
      expect(await redeem(expired.code, second.account_id, second.id)).toBe("link_code_invalid");
      expect(await redeem("ABCDE-FGHJK", second.account_id, second.id)).toBe("link_code_invalid");
      expect(await redeem("not a code", second.account_id, second.id)).toBe("link_code_invalid");
      const own = await createLinkCode(s, second.account_id, cli);
      expect(await redeem(own.code, second.account_id, second.id)).toBe("link_same_account");
      expect((await storeRow(second.id)).account_id).toBe(second.account_id);
      const reasons = (await audits("store_link.failed")).filter((a) => a.account_id === second.account_id).map((a) => JSON.parse(a.details!).reason);
      expect(reasons).toEqual(["used", "expired", "unknown", "malformed", "link_same_account"]);
      // A new code replaces the account's unused one.
      const first = await createLinkCode(s, wooAccount, cli);
      await createLinkCode(s, wooAccount, cli);
      expect(await redeem(first.code, second.account_id, second.id)).toBe("link_code_invalid");
    });

    it("a store whose account holds pools is refused (no silent merge) and the code stays usable", async () => {
      const other = await loneStore(`pools-${dialect}`);
      await createPool(s, other.account_id, { name: "Steam 50" }, cli);
      const code = await createLinkCode(s, wooAccount, cli);
      const refused = await redeemLinkCode(s, other.account_id, { storeId: other.id, code: code.code, ip: null }, cli).catch((e: KeyrelayError) => e);
      expect(refused).toMatchObject({ code: "account_has_pools", params: { pools: 1 } });
      expect((await storeRow(other.id)).account_id).toBe(other.account_id);
      const third = await loneStore(`third-${dialect}`);
      expect(await codeOf(redeemLinkCode(s, third.account_id, { storeId: third.id, code: code.code, ip: null }, cli))).toBe("ok");
    });

    it("guessing is rate limited per account (even a right code then waits), and per IP across accounts", async () => {
      const guesser = await loneStore(`guesser-${dialect}`);
      for (let i = 0; i < LINK_ATTEMPTS_PER_ACCOUNT; i++) expect(await codeOf(redeemLinkCode(s, guesser.account_id, { storeId: guesser.id, code: `ZZZZZ-${String(i).padStart(5, "0")}`, ip: null }, cli))).toBe("link_code_invalid");
      const right = await createLinkCode(s, wooAccount, cli);
      const limited = await redeemLinkCode(s, guesser.account_id, { storeId: guesser.id, code: right.code, ip: null }, cli).catch((e: KeyrelayError) => e);
      expect(limited).toMatchObject({ code: "link_rate_limited" });
      expect((limited as KeyrelayError).params.seconds).toBeGreaterThan(0);
      expect((await storeRow(guesser.id)).account_id).toBe(guesser.account_id);
      expect(await s.db.selectFrom("link_codes").select("used_at").where("account_id", "=", wooAccount).where("used_at", "is", null).execute()).toHaveLength(1);
      expect((await audits("store_link.failed")).filter((a) => a.account_id === guesser.account_id).map((a) => JSON.parse(a.details!).reason).at(-1)).toBe("rate_limited");
      // One IP spreading its guesses over many accounts is stopped by the IP's own limit.
      const ip = `198.51.100.${dialect === "sqlite" ? 1 : 2}`;
      const results: string[] = [];
      for (let i = 0; i < 31; i++) {
        const st = await loneStore(`spray-${dialect}-${i}`);
        results.push(await codeOf(redeemLinkCode(s, st.account_id, { storeId: st.id, code: "ZZZZZ-ZZZZZ", ip }, cli)));
      }
      expect(results.slice(0, 30).every((r) => r === "link_code_invalid")).toBe(true);
      expect(results[30]).toBe("link_rate_limited");
    });

    it("another account cannot link or split a store it does not own: store_not_found, nothing changes", async () => {
      const stranger = await loneStore(`stranger-${dialect}`);
      const code = await createLinkCode(s, stranger.account_id, cli);
      expect(await codeOf(redeemLinkCode(s, stranger.account_id, { storeId: wooStore.id, code: code.code, ip: null }, cli))).toBe("store_not_found");
      expect(await codeOf(splitOffStore(s, stranger.account_id, wooStore.id, cli))).toBe("store_not_found");
      expect((await storeRow(wooStore.id)).account_id).toBe(wooAccount);
      expect(await s.db.selectFrom("link_codes").select("used_at").where("account_id", "=", stranger.account_id).executeTakeFirstOrThrow()).toEqual({ used_at: null });
    });

    it("split off: the store leaves with its orders for a new account with no pools; its mappings go and its host stock is set to 0", async () => {
      await mapProduct(s, wooAccount, { storeId: shopStore.id, productId: shopProduct, variantId: shopVariant, poolId }, cli);
      await runStockSyncs(s);
      expect(shopify.inventory(shopVariant)).toBe(60);
      const split = await splitOffStore(s, wooAccount, shopStore.id, admin("woo-admin"));
      expect(split).toMatchObject({ storeId: shopStore.id, mappingsRemoved: 1, stockZeroed: 1, stockZeroFailed: 0 });
      expect(split.accountId).not.toBe(wooAccount);
      expect(shopify.inventory(shopVariant)).toBe(0);
      expect((await storeRow(shopStore.id)).account_id).toBe(split.accountId);
      expect((await installShopifyShop(s, { shop })).account_id).toBe(split.accountId);
      expect(await s.db.selectFrom("pools").select("id").where("account_id", "=", split.accountId).execute()).toEqual([]);
      expect(await s.db.selectFrom("product_mappings").select("id").where("store_id", "=", shopStore.id).execute()).toEqual([]);
      expect(await s.db.selectFrom("orders").select("account_id").where("store_id", "=", shopStore.id).execute()).toEqual([{ account_id: split.accountId }]);
      expect((await audits("store.split_off")).map((a) => a.account_id).sort()).toEqual([wooAccount, split.accountId].sort());
      // The WooCommerce store's stock is untouched by it.
      await runStockSyncs(s);
      expect(wc.getStock(wooProduct).stock_quantity).toBe(60);

      // …and linked again, the way it came.
      const code = await createLinkCode(s, wooAccount, cli);
      await redeemLinkCode(s, split.accountId, { storeId: shopStore.id, code: code.code, ip: null }, { type: "shopify_staff", id: shop });
      shopStore = await storeRow(shopStore.id);
      expect(shopStore.account_id).toBe(wooAccount);
      await mapProduct(s, wooAccount, { storeId: shopStore.id, productId: shopProduct, variantId: shopVariant, poolId }, cli);
      // One more key, so this write differs from the first 0 → 60 (a repeat is written too: see
      // shopify-connector.test.ts).
      await stockPool(s, wooAccount, poolId, codes(`LX${dialect}`, 1));
      await runStockSyncs(s);
      expect(shopify.inventory(shopVariant)).toBe(61);
      expect(wc.getStock(wooProduct).stock_quantity).toBe(61);
    });

    it("linked Shopify and WooCommerce stores sell from one pool at once: no key twice, both hosts show the pool's available count", async () => {
      const sales = Array.from({ length: 48 }, (_, i) =>
        i % 2 === 0
          ? () => applyHostOrder(s, shopStore, orderFor([{ productId: shopProduct, variantId: shopVariant, quantity: 1 + (i % 3) }]))
          : () => applyHostOrder(s, wooStore, orderFor([{ productId: String(wooProduct), variantId: null, quantity: 1 }])),
      );
      // 24 Shopify orders of 1–3 units (48 units) + 24 WooCommerce orders of 1: 72 units wanted, 61 keys.
      await inParallel(sales, 8, (sell) => sell());
      const live = await s.db.selectFrom("allocations").select(["key_id", "status"]).where("pool_id", "=", poolId).execute();
      const keyIds = live.filter((a) => a.status === "allocated").map((a) => a.key_id);
      expect(keyIds).toHaveLength(61);
      expect(new Set(keyIds).size).toBe(61);
      expect(live.filter((a) => a.status === "backordered")).toHaveLength(11);
      const byStore = await s.db
        .selectFrom("allocations")
        .innerJoin("order_lines", "order_lines.id", "allocations.order_line_id")
        .innerJoin("orders", "orders.id", "order_lines.order_id")
        .select(["orders.store_id", (eb) => eb.fn.countAll<number>().as("n")])
        .where("allocations.status", "=", "allocated")
        .groupBy("orders.store_id")
        .execute();
      expect(byStore.map((r) => r.store_id).sort()).toEqual([shopStore.id, wooStore.id].sort());
      await runStockSyncs(s);
      expect(shopify.inventory(shopVariant)).toBe(0);
      expect(wc.getStock(wooProduct).stock_quantity).toBe(0);

      // Restocked: the backorders are filled first, and both hosts show the same remainder.
      await stockPool(s, wooAccount, poolId, codes(`LR${dialect}`, 20));
      const fills = await s.db.selectFrom("jobs").select("id").where("queue", "=", "fill-backorders").where("status", "=", "pending").execute();
      for (const f of fills) await s.jobs.runJob(Number(f.id));
      await runStockSyncs(s);
      const available = await s.db.selectFrom("keys").select((eb) => eb.fn.countAll<number>().as("n")).where("pool_id", "=", poolId).where("state", "=", "available").executeTakeFirstOrThrow();
      expect(Number(available.n)).toBe(9);
      expect(shopify.inventory(shopVariant)).toBe(9);
      expect(wc.getStock(wooProduct).stock_quantity).toBe(9);
      const allKeys = (await s.db.selectFrom("allocations").select("key_id").where("status", "=", "allocated").execute()).map((a) => a.key_id);
      expect(new Set(allKeys).size).toBe(allKeys.length);
    });

    it("a store whose orders hold the account's keys, and the last store, cannot be split off", async () => {
      const refused = await splitOffStore(s, wooAccount, shopStore.id, cli).catch((e: KeyrelayError) => e);
      expect(refused).toMatchObject({ code: "split_store_has_key_orders" });
      expect((await storeRow(shopStore.id)).account_id).toBe(wooAccount);
      const solo = await loneStore(`solo-${dialect}`);
      expect(await codeOf(splitOffStore(s, solo.account_id, solo.id, cli))).toBe("split_last_store");
    });

    it("two split-offs of an account's two stores at once leave it one store (the last store stays)", async () => {
      for (let round = 0; round < 5; round++) {
        const acc = await createAccount(s.db, { name: `two-${round}` });
        const a = await insertStore(s.db, { accountId: acc.id, platform: "woocommerce", domain: `https://race-a${round}-${dialect}.example`, name: "A" });
        const b = await insertStore(s.db, { accountId: acc.id, platform: "woocommerce", domain: `https://race-b${round}-${dialect}.example`, name: "B" });
        const results = await Promise.allSettled([splitOffStore(s, acc.id, a.id, cli), splitOffStore(s, acc.id, b.id, cli)]);
        const left = await s.db.selectFrom("stores").select("id").where("account_id", "=", acc.id).execute();
        expect(left, `round ${round}`).toHaveLength(1);
        const refused = results.filter((r) => r.status === "rejected").map((r) => ((r as PromiseRejectedResult).reason as KeyrelayError).code);
        expect(refused).toEqual(["split_last_store"]);
      }
    });

    const staffRows = (accountId: string) => s.db.selectFrom("shopify_staff_roles").select(["shop", "shopify_user_id", "role"]).where("account_id", "=", accountId).execute();
    const ownerRef = (id: string) => ({ role: "owner" as const, actor: admin(id), self: { kind: "admin" as const, id } });

    it("a shop split off takes its staff roles out of the old account: they no longer count as its owners, so its last real owner cannot step down", async () => {
      const acc = await createAccount(s.db, { name: "A" });
      const shopP = `stale-p-${dialect}.myshopify.com`;
      const p = await insertStore(s.db, { accountId: acc.id, platform: "shopify", domain: shopP, name: "P" });
      await insertStore(s.db, { accountId: acc.id, platform: "woocommerce", domain: `https://stale-w-${dialect}.example`, name: "W" });
      expect(await shopifyStaffRole(s, acc.id, shopP, "111")).toBe("owner"); // the installer
      const x = await insertAdminUser(s.db, { accountId: acc.id, email: `stale-x-${dialect}@example.com`, passwordHash: "x", role: "owner" });
      const split = await splitOffStore(s, acc.id, p.id, admin(x.id));
      expect(await staffRows(acc.id)).toEqual([]);
      expect(await countOwners(s.db, acc.id)).toBe(1);
      expect(await codeOf(changeMemberRole(s, acc.id, { kind: "admin", id: x.id }, "manager", ownerRef(x.id)))).toBe("team_last_owner");
      // In the shop's new account the staff member gets a role by that account's rules: it has no owner.
      expect(await shopifyStaffRole(s, split.accountId, shopP, "111")).toBe("owner");
    });

    it("a shop linked into another account leaves its staff roles behind: in the code's account, which has an owner, its staff are support", async () => {
      const from = await createAccount(s.db, { name: "S" });
      const shopS = `stale-s-${dialect}.myshopify.com`;
      const st = await insertStore(s.db, { accountId: from.id, platform: "shopify", domain: shopS, name: "S" });
      expect(await shopifyStaffRole(s, from.id, shopS, "222")).toBe("owner");
      const to = await createAccount(s.db, { name: "T" });
      await insertStore(s.db, { accountId: to.id, platform: "woocommerce", domain: `https://stale-t-${dialect}.example`, name: "T" });
      const y = await insertAdminUser(s.db, { accountId: to.id, email: `stale-y-${dialect}@example.com`, passwordHash: "x", role: "owner" });
      const made = await createLinkCode(s, to.id, admin(y.id));
      await redeemLinkCode(s, from.id, { storeId: st.id, code: made.code, ip: "203.0.113.9" }, { type: "shopify_staff", id: shopS });
      expect(await staffRows(from.id)).toEqual([]);
      expect(await shopifyStaffRole(s, to.id, shopS, "222")).toBe("support");
      expect(await countOwners(s.db, to.id)).toBe(1);
    });

    it("countOwners counts a staff owner only while their shop is a store of the account", async () => {
      const acc = await createAccount(s.db, { name: "C" });
      await insertStore(s.db, { accountId: acc.id, platform: "woocommerce", domain: `https://stale-c-${dialect}.example`, name: "C" });
      const at = new Date().toISOString();
      // A row left by a move made before staff roles followed the shop.
      await insertShopifyStaff(s.db, { account_id: acc.id, shop: `gone-${dialect}.myshopify.com`, shopify_user_id: "333", role: "owner", first_seen_at: at, last_seen_at: at, updated_at: at });
      expect(await countOwners(s.db, acc.id)).toBe(0);
    });
  });
}
