import crypto from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, migrationStatus } from "../../app/.server/db/migrate.ts";
import { AccountScope } from "../../app/.server/db/repositories/account-scope.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { KyselySessionStorage } from "../../app/.server/db/repositories/shopify-session-storage.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { dialects } from "../support/dialects.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";
import { migrations } from "../../db/migrations/index.ts";

const ALL_MIGRATIONS = Object.keys(migrations);

/** Seeds one account with a store, a pool, a batch, two keys, an order with a line and an allocation. */
async function seedAccount(s: TestServices, name: string) {
  const account = await createAccount(s.db, { name });
  const store = await insertStore(s.db, { accountId: account.id, platform: "woocommerce", domain: `https://${name}.example`, name });
  const now = new Date().toISOString();
  const poolId = crypto.randomUUID();
  await s.db
    .insertInto("pools")
    .values({ id: poolId, account_id: account.id, name: `${name} pool`, low_stock_threshold: 5, case_insensitive: 0, refund_policy: "revoke", reveal_on_click: 0, created_at: now, updated_at: now })
    .execute();
  const batchId = crypto.randomUUID();
  await s.db.insertInto("key_batches").values({ id: batchId, account_id: account.id, pool_id: poolId, key_count: 2, status: "active", created_at: now }).execute();
  const keyIds: number[] = [];
  for (const code of [`${name}-CODE-1`, `${name}-CODE-2`]) {
    const sealed = s.cipher.seal(JSON.stringify({ code }), account.id);
    const r = await s.db
      .insertInto("keys")
      .values({ account_id: account.id, pool_id: poolId, batch_id: batchId, ciphertext: sealed.ciphertext, key_id: sealed.keyId, fingerprint: s.fingerprinter.fingerprint(code), state: "available", state_changed_at: now, created_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    keyIds.push(Number(r.id));
  }
  const orderId = crypto.randomUUID();
  await s.db
    .insertInto("orders")
    .values({ id: orderId, account_id: account.id, store_id: store.id, external_id: "1001", status: "received", risk_decision: "none", created_at: now, updated_at: now })
    .execute();
  const lineId = crypto.randomUUID();
  await s.db
    .insertInto("order_lines")
    .values({ id: lineId, account_id: account.id, order_id: orderId, external_line_id: "L1", quantity: 1, refunded_quantity: 0, units_per_item: 1, created_at: now })
    .execute();
  return { account, store, poolId, batchId, keyIds, orderId, lineId };
}

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`database on ${dialect}`, () => {
    let s: TestServices;
    beforeAll(async () => {
      s = await makeServices({ dialect });
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    it("applies the migrations once and reports none pending; a second run is a no-op", async () => {
      const status = await migrationStatus(s.db, s.database.dialect);
      expect(status.applied).toEqual(ALL_MIGRATIONS);
      expect(status.pending).toEqual([]);
      expect((await migrateToLatest(s.db, s.database.dialect)).applied).toEqual([]);
    });

    it("never lets one account read another's pools, keys, orders or stores", async () => {
      const a = await seedAccount(s, "alpha");
      const b = await seedAccount(s, "beta");
      const scopeA = new AccountScope(s.db, a.account.id);
      const scopeB = new AccountScope(s.db, b.account.id);

      expect((await scopeA.listPools()).map((p) => p.id)).toEqual([a.poolId]);
      expect(await scopeA.getPool(b.poolId)).toBeUndefined();
      expect(await scopeB.getPool(a.poolId)).toBeUndefined();
      expect(await scopeB.getPool(b.poolId)).toBeDefined();

      expect((await scopeA.listKeys()).map((k) => k.id).sort()).toEqual([...a.keyIds].sort());
      expect(await scopeA.listKeys({ poolId: b.poolId })).toEqual([]);
      for (const id of b.keyIds) expect(await scopeA.getKey(id)).toBeUndefined();

      expect((await scopeA.listOrders()).map((o) => o.id)).toEqual([a.orderId]);
      expect(await scopeA.getOrder(b.orderId)).toBeUndefined();
      expect((await scopeA.listStores()).map((st) => st.id)).toEqual([a.store.id]);
      expect(await scopeA.keyCountsByState()).toEqual({ available: 2 });

      // Ciphertext is bound to its account: a row copied into another account cannot be opened there.
      const row = await s.db.selectFrom("keys").select(["ciphertext", "key_id"]).where("id", "=", a.keyIds[0]).executeTakeFirstOrThrow();
      expect(JSON.parse(s.cipher.openString({ ciphertext: row.ciphertext, keyId: row.key_id }, a.account.id)).code).toBe("alpha-CODE-1");
      expect(() => s.cipher.open({ ciphertext: row.ciphertext, keyId: row.key_id }, b.account.id)).toThrow();
    });

    it("enforces exactly-once constraints: one allocation per unit, one line per key, one fingerprint per account", async () => {
      const c = await seedAccount(s, "gamma");
      const now = new Date().toISOString();
      const alloc = (unit: number, keyId: number | null) =>
        s.db.insertInto("allocations").values({ account_id: c.account.id, order_line_id: c.lineId, unit_index: unit, pool_id: c.poolId, key_id: keyId, status: keyId ? "allocated" : "backordered", created_at: now }).execute();
      await alloc(0, c.keyIds[0]);
      await expect(alloc(0, c.keyIds[1])).rejects.toThrow(/unique|UNIQUE/);
      await expect(alloc(1, c.keyIds[0])).rejects.toThrow(/unique|UNIQUE/);
      // Backorders (no key yet) may coexist on different units.
      await alloc(1, null);
      await alloc(2, null);

      const dup = s.fingerprinter.fingerprint("gamma-CODE-1");
      const sealed = s.cipher.seal("x", c.account.id);
      const insertKey = (accountId: string, poolId: string, batchId: string) =>
        s.db.insertInto("keys").values({ account_id: accountId, pool_id: poolId, batch_id: batchId, ciphertext: sealed.ciphertext, key_id: sealed.keyId, fingerprint: dup, state: "available", state_changed_at: now, created_at: now }).execute();
      await expect(insertKey(c.account.id, c.poolId, c.batchId)).rejects.toThrow(/unique|UNIQUE/);
      // The same code may exist in another merchant's stock.
      const d = await seedAccount(s, "delta");
      await insertKey(d.account.id, d.poolId, d.batchId);
    });

    it("stores Shopify sessions through Kysely (SessionStorage interface)", async () => {
      const storage = new KyselySessionStorage(s.db, s.cipher);
      const offline = new Session({ id: "offline_shop-a.myshopify.com", shop: "shop-a.myshopify.com", state: "st", isOnline: false, scope: "read_orders", accessToken: "shpat_x" });
      const online = new Session({ id: "shop-a.myshopify.com_42", shop: "shop-a.myshopify.com", state: "st2", isOnline: true, expires: new Date(Date.now() + 3600_000) });
      online.onlineAccessInfo = {
        expires_in: 3600,
        associated_user_scope: "read_orders",
        associated_user: { id: 42, first_name: "李", last_name: "雷", email: "li@example.com", account_owner: true, locale: "zh-CN", collaborator: false, email_verified: true },
      } as Session["onlineAccessInfo"];
      await storage.storeSession(offline);
      await storage.storeSession(online);
      offline.accessToken = "shpat_rotated";
      await storage.storeSession(offline);

      const loaded = await storage.loadSession(offline.id);
      expect(loaded?.accessToken).toBe("shpat_rotated");
      // At rest the token is sealed, not the token itself.
      const stored = await s.db.selectFrom("shopify_sessions").select("access_token").where("id", "=", offline.id).executeTakeFirstOrThrow();
      expect(stored.access_token).toMatch(/^v1:/);
      expect(stored.access_token).not.toContain("shpat_rotated");
      expect(loaded?.isOnline).toBe(false);
      const loadedOnline = await storage.loadSession(online.id);
      expect(loadedOnline?.onlineAccessInfo?.associated_user.locale).toBe("zh-CN");
      expect(loadedOnline?.expires?.getTime()).toBe(online.expires!.getTime());
      expect((await storage.findSessionsByShop("shop-a.myshopify.com")).length).toBe(2);
      await storage.deleteSessions([offline.id, online.id]);
      expect(await storage.findSessionsByShop("shop-a.myshopify.com")).toEqual([]);
      expect(await storage.loadSession("missing")).toBeUndefined();
    });
  });
}
