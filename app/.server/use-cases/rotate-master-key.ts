import { openTotpSecret, sealTotpSecret } from "../crypto/totp.ts";
import type { Services } from "../ports.ts";

export interface RotationReport {
  keyId: string;
  keys: number;
  storeSecrets: number;
  sessions: number;
  settings: number;
  /** Rows still sealed under a retired key (0 when the rotation is complete). */
  remaining: number;
}

/**
 * Re-seals everything still under a retired master key with the current one, in small batches,
 * each row updated only if it still holds the ciphertext that was read (`key_id = old`), so a
 * concurrent write is never overwritten. Resumable: a crash or a limit leaves a consistent state,
 * and the next run picks up whatever is still old. The app keeps serving throughout: every process
 * holds the current and the retired keys (KEYRELAY_PREVIOUS_MASTER_KEYS / data/master.previous).
 */
export async function rotateMasterKey(
  s: Pick<Services, "db" | "cipher">,
  opts: { batchSize?: number; limit?: number; onProgress?: (done: number) => void } = {},
): Promise<RotationReport> {
  const current = s.cipher.currentKeyId;
  const batch = opts.batchSize ?? 1_000;
  const report: RotationReport = { keyId: current, keys: 0, storeSecrets: 0, sessions: 0, settings: 0, remaining: 0 };
  let budget = opts.limit ?? Number.POSITIVE_INFINITY;

  // Keys: keyset over id, one transaction per batch.
  let afterId = 0;
  while (budget > 0) {
    const rows = await s.db
      .selectFrom("keys")
      .select(["id", "account_id", "ciphertext", "key_id"])
      .where("id", ">", afterId)
      .where("key_id", "!=", current)
      .orderBy("id")
      .limit(Math.min(batch, budget))
      .execute();
    if (rows.length === 0) break;
    await s.db.transaction().execute(async (trx) => {
      for (const r of rows) {
        const plain = s.cipher.open({ ciphertext: Buffer.from(r.ciphertext), keyId: r.key_id }, r.account_id);
        const sealed = s.cipher.seal(plain, r.account_id);
        const u = await trx.updateTable("keys").set({ ciphertext: sealed.ciphertext, key_id: sealed.keyId }).where("id", "=", r.id).where("key_id", "=", r.key_id).executeTakeFirst();
        report.keys += Number(u.numUpdatedRows);
      }
    });
    afterId = Number(rows[rows.length - 1].id);
    budget -= rows.length;
    opts.onProgress?.(report.keys);
  }

  if (budget > 0) {
    // Store secrets (bound to the store id).
    const stores = await s.db.selectFrom("stores").select(["id", "credentials_ciphertext", "credentials_key_id", "webhook_secret_ciphertext", "webhook_secret_key_id"]).execute();
    for (const st of stores) {
      for (const [data, keyCol, dataCol] of [
        [st.credentials_ciphertext, st.credentials_key_id, "credentials"],
        [st.webhook_secret_ciphertext, st.webhook_secret_key_id, "webhook_secret"],
      ] as const) {
        if (!data || !keyCol || keyCol === current) continue;
        const sealed = s.cipher.seal(s.cipher.open({ ciphertext: Buffer.from(data), keyId: keyCol }, st.id), st.id);
        const set = dataCol === "credentials" ? { credentials_ciphertext: sealed.ciphertext, credentials_key_id: sealed.keyId } : { webhook_secret_ciphertext: sealed.ciphertext, webhook_secret_key_id: sealed.keyId };
        const where = dataCol === "credentials" ? "credentials_key_id" : "webhook_secret_key_id";
        const u = await s.db.updateTable("stores").set(set).where("id", "=", st.id).where(where, "=", keyCol).executeTakeFirst();
        report.storeSecrets += Number(u.numUpdatedRows);
      }
    }

    // Shopify tokens ("v1:<key id>:<base64>", bound to the session id).
    const sessions = await s.db.selectFrom("shopify_sessions").select(["id", "access_token", "refresh_token"]).execute();
    for (const ss of sessions) {
      const reseal = (stored: string | null) => {
        if (!stored) return stored;
        const [v, keyId, data] = stored.split(":");
        if (v !== "v1" || keyId === current) return stored;
        const sealed = s.cipher.seal(s.cipher.open({ keyId, ciphertext: Buffer.from(data, "base64") }, `shopify-session:${ss.id}`), `shopify-session:${ss.id}`);
        return `v1:${sealed.keyId}:${sealed.ciphertext.toString("base64")}`;
      };
      const access = reseal(ss.access_token);
      const refresh = reseal(ss.refresh_token);
      if (access !== ss.access_token || refresh !== ss.refresh_token) {
        let q = s.db.updateTable("shopify_sessions").set({ access_token: access, refresh_token: refresh }).where("id", "=", ss.id);
        q = ss.access_token === null ? q.where("access_token", "is", null) : q.where("access_token", "=", ss.access_token);
        report.sessions += Number((await q.executeTakeFirst()).numUpdatedRows);
      }
    }

    // Admins' TOTP secrets (bound to the admin's id): counted with the store secrets.
    const totps = await s.db.selectFrom("admin_two_factor").select(["admin_user_id", "secret_ciphertext", "secret_key_id"]).where("secret_key_id", "!=", current).execute();
    for (const row of totps) {
      const sealed = sealTotpSecret(s.cipher, row.admin_user_id, openTotpSecret(s.cipher, row));
      const u = await s.db
        .updateTable("admin_two_factor")
        .set({ secret_ciphertext: sealed.ciphertext, secret_key_id: sealed.keyId })
        .where("admin_user_id", "=", row.admin_user_id)
        .where("secret_key_id", "=", row.secret_key_id)
        .executeTakeFirst();
      report.storeSecrets += Number(u.numUpdatedRows);
    }

    // Resellers' webhook signing secrets (bound to the endpoint id): counted with the store secrets.
    const hooks = await s.db.selectFrom("reseller_webhook_endpoints").select(["id", "secret_ciphertext", "secret_key_id"]).where("secret_key_id", "!=", current).execute();
    for (const h of hooks) {
      const aad = `reseller-webhook:${h.id}`;
      const sealed = s.cipher.seal(s.cipher.open({ ciphertext: Buffer.from(h.secret_ciphertext), keyId: h.secret_key_id }, aad), aad);
      const u = await s.db.updateTable("reseller_webhook_endpoints").set({ secret_ciphertext: sealed.ciphertext, secret_key_id: sealed.keyId }).where("id", "=", h.id).where("secret_key_id", "=", h.secret_key_id).executeTakeFirst();
      report.storeSecrets += Number(u.numUpdatedRows);
    }

    // Installation settings (the fingerprint secret): fingerprints themselves never change.
    const settings = await s.db.selectFrom("system_settings").selectAll().where("key_id", "is not", null).where("key_id", "!=", current).execute();
    for (const st of settings) {
      const sealed = s.cipher.seal(s.cipher.open({ ciphertext: Buffer.from(st.value), keyId: st.key_id! }, `system:${st.name}`), `system:${st.name}`);
      const u = await s.db.updateTable("system_settings").set({ value: sealed.ciphertext, key_id: sealed.keyId, updated_at: new Date().toISOString() }).where("name", "=", st.name).where("key_id", "=", st.key_id).executeTakeFirst();
      report.settings += Number(u.numUpdatedRows);
    }
  }

  report.remaining = await countRetired(s, current);
  return report;
}

async function countRetired(s: Pick<Services, "db">, current: string): Promise<number> {
  const count = async (q: Promise<{ n: number | string | bigint } | undefined>) => Number((await q)?.n ?? 0);
  const keys = await count(s.db.selectFrom("keys").select((eb) => eb.fn.countAll<number>().as("n")).where("key_id", "!=", current).executeTakeFirst());
  const settings = await count(s.db.selectFrom("system_settings").select((eb) => eb.fn.countAll<number>().as("n")).where("key_id", "is not", null).where("key_id", "!=", current).executeTakeFirst());
  const stores = await count(
    s.db
      .selectFrom("stores")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where((eb) => eb.or([eb("credentials_key_id", "!=", current), eb("webhook_secret_key_id", "!=", current)]))
      .executeTakeFirst(),
  );
  const sessions = (await s.db.selectFrom("shopify_sessions").select(["access_token", "refresh_token"]).execute()).filter((r) =>
    [r.access_token, r.refresh_token].some((t) => t && t.split(":")[1] !== current),
  ).length;
  const totps = await count(s.db.selectFrom("admin_two_factor").select((eb) => eb.fn.countAll<number>().as("n")).where("secret_key_id", "!=", current).executeTakeFirst());
  return keys + settings + stores + sessions + totps;
}
