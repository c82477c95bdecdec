import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../app/.server/config.ts";
import { MasterKeyMismatchError } from "../../app/.server/crypto/key-material.ts";
import { masterKeyId } from "../../app/.server/crypto/key-cipher.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { KyselySessionStorage } from "../../app/.server/db/repositories/shopify-session-storage.ts";
import { insertStore } from "../../app/.server/db/repositories/stores-repo.ts";
import { createLogger } from "../../app/.server/logger.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import type { Services } from "../../app/.server/ports.ts";
import { findKeyByCode } from "../../app/.server/use-cases/find-key.ts";
import { importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import { revealKey } from "../../app/.server/use-cases/reveal-key.ts";
import { rotateMasterKey } from "../../app/.server/use-cases/rotate-master-key.ts";
import { Session } from "@shopify/shopify-api";
import { dialects } from "../support/dialects.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

const A = crypto.randomBytes(32);
const B = crypto.randomBytes(32);
const actor = { type: "cli" as const };

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`master key rotation on ${dialect}`, () => {
    let before: TestServices;
    let accountId: string;
    let storeId: string;
    const open = (env: Record<string, string>) => createServices(loadConfig({ ...before.env, ...env }), { log: createLogger({ level: "silent" }) });

    beforeAll(async () => {
      before = await makeServices({ dialect, env: { KEYRELAY_MASTER_KEY: A.toString("base64") } });
      accountId = (await createAccount(before.db, { name: "M" })).id;
      const poolId = (await createPool(before, accountId, { name: "P" }, actor)).id;
      const codes = Array.from({ length: 250 }, (_, i) => `ROT-${i}`).join("\n");
      async function* src() {
        yield new TextEncoder().encode(codes);
      }
      expect((await importKeys(before, { accountId, poolId, format: "txt", actor, source: src() })).added).toBe(250);
      const store = await insertStore(before.db, { accountId, platform: "woocommerce", domain: "https://w.example", name: "W" });
      storeId = store.id;
      const sealed = before.cipher.seal("wc-secret", store.id);
      await before.db.updateTable("stores").set({ webhook_secret_ciphertext: sealed.ciphertext, webhook_secret_key_id: sealed.keyId }).where("id", "=", store.id).execute();
      await new KyselySessionStorage(before.db, before.cipher).storeSession(new Session({ id: "offline_s.myshopify.com", shop: "s.myshopify.com", state: "x", isOnline: false, accessToken: "shpat_secret" }));
    });
    afterAll(async () => {
      await before?.cleanup();
    });

    it("a new key alone is refused while data is sealed under the old one", async () => {
      await expect(open({ KEYRELAY_MASTER_KEY: B.toString("base64") })).rejects.toBeInstanceOf(MasterKeyMismatchError);
    });

    it("re-seals in resumable steps while old and new rows stay readable; fingerprints never change", async () => {
      let s: Services = await open({ KEYRELAY_MASTER_KEY: B.toString("base64"), KEYRELAY_PREVIOUS_MASTER_KEYS: A.toString("base64") });
      try {
        const first = await rotateMasterKey(s, { batchSize: 40, limit: 100 });
        expect(first).toMatchObject({ keyId: masterKeyId(B), keys: 100 });
        expect(first.remaining).toBe(150 + 1 + 1 + 1); // keys, the store secret, the session, the fingerprint secret
        // Mid-rotation, both kinds of rows read fine.
        const early = await findKeyByCode(s, accountId, "ROT-0");
        const late = await findKeyByCode(s, accountId, "ROT-249");
        expect((await revealKey(s, accountId, early!.keyId, actor)).code).toBe("ROT-0");
        expect((await revealKey(s, accountId, late!.keyId, actor)).code).toBe("ROT-249");
        const rest = await rotateMasterKey(s, { batchSize: 64 });
        expect(rest).toMatchObject({ keys: 150, storeSecrets: 1, sessions: 1, settings: 1, remaining: 0 });
        expect((await rotateMasterKey(s)).keys).toBe(0);
      } finally {
        await s.close();
      }
      // The retired key can go: everything opens with the new key alone.
      s = await open({ KEYRELAY_MASTER_KEY: B.toString("base64") });
      try {
        const found = await findKeyByCode(s, accountId, "ROT-123");
        expect(found).not.toBeNull();
        expect((await revealKey(s, accountId, found!.keyId, actor)).code).toBe("ROT-123");
        const store = await s.db.selectFrom("stores").selectAll().where("id", "=", storeId).executeTakeFirstOrThrow();
        expect(s.cipher.openString({ ciphertext: Buffer.from(store.webhook_secret_ciphertext!), keyId: store.webhook_secret_key_id! }, storeId)).toBe("wc-secret");
        expect((await new KyselySessionStorage(s.db, s.cipher).loadSession("offline_s.myshopify.com"))?.accessToken).toBe("shpat_secret");
      } finally {
        await s.close();
      }
    });
  });
}
