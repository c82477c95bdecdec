import { TEST_SHOP, TEST_SHOP_NAME } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { embeddedPage, embeddedPost } from "../support/embedded-request.ts";
import { SHOPIFY_ENV, storeOfflineSession } from "../support/shopify-fixtures.ts";
import { setAdminRole } from "../../app/.server/db/repositories/team-repo.ts";
import { recordAudit } from "../../app/.server/db/repositories/audit-repo.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { pruneAudit } from "../../app/.server/use-cases/prune-audit.ts";
import { sealAudit, SETTLE_MS, verifyAudit } from "../../app/.server/use-cases/seal-audit.ts";
import { translator } from "../../app/i18n/i18n.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { runCli } from "../support/run-cli.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * Audit retention: audit.retention_days on the settings page (owners only) and the CLI, pruning
 * only the sealed front of the chain, anchored so `audit verify` still proves the retained rows
 * intact and still catches an edited or deleted one; other accounts untouched.
 */
const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const DAY = 86_400_000;

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`audit retention (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let a: string;
    let b: string;
    let ownerA: AdminBrowser;
    let ownerB: AdminBrowser;
    let ip = 60;
    const browser = () => new AdminBrowser(http.url, { "x-forwarded-for": `203.0.113.${ip++}` });
    const later = () => new Date(Date.now() + SETTLE_MS + 1000);
    const rowsOf = async (accountId: string) => (await s.db.selectFrom("audit_log").select(["id", "action", "created_at"]).where("account_id", "=", accountId).orderBy("id").execute()).map((r) => ({ ...r, id: Number(r.id) }));
    const retention = async (accountId: string) => (await s.db.selectFrom("accounts").select("audit_retention_days").where("id", "=", accountId).executeTakeFirstOrThrow()).audit_retention_days;
    const old = (accountId: string, i: number) =>
      s.db.insertInto("audit_log").values({ account_id: accountId, actor_type: "admin", actor_id: "u1", action: "key.revealed", subject_type: "key", subject_id: `old-${i}`, details: JSON.stringify({ i }), ip: null, created_at: new Date(Date.now() - (200 - i) * DAY).toISOString() }).execute();

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      a = (await createAdminUser(s, { email: "owner@a.example", password: PASSWORD, accountName: "Shop A" })).accountId;
      b = (await createAdminUser(s, { email: "owner@b.example", password: PASSWORD, accountName: "Shop B" })).accountId;
      // Six rows from 200-195 days ago per account, then what signing up wrote, then two recent ones.
      await s.db.deleteFrom("audit_log").execute();
      for (let i = 0; i < 6; i++) {
        await old(a, i);
        await old(b, i);
      }
      for (const acc of [a, b]) for (let i = 0; i < 2; i++) await recordAudit(s.db, { accountId: acc, actorType: "cli", action: "pool.created", subjectType: "pool", subjectId: `new-${i}` });
      await sealAudit(s, { now: later() });
      ownerA = await browser().signedIn("owner@a.example", PASSWORD);
      ownerB = await browser().signedIn("owner@b.example", PASSWORD);
      await sealAudit(s, { now: later() });
    });
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    it("off by default: nothing is pruned", async () => {
      expect(await retention(a)).toBeNull();
      const before = await rowsOf(a);
      expect(await pruneAudit(s)).toEqual([]);
      expect(await pruneAudit(s, { accountId: a })).toEqual([{ accountId: a, retentionDays: null, pruned: 0, before: null }]);
      expect(await rowsOf(a)).toEqual(before);
    });

    it("a bad value names the field (en and zh-CN) and changes nothing; page and CLI alike", async () => {
      const csrf = await ownerA.csrf();
      for (const value of ["7", "abc", "-30", "4000", "45.5"]) {
        const res = await ownerA.post("/admin/settings.data", { csrf, intent: "save", "account.name": "Renamed", "audit.retention_days": value });
        expect(res.status, value).toBe(400);
        const body = await res.text();
        expect(body, value).toContain("settings_audit_retention_invalid");
        expect(body, value).toContain("audit.retention_days");
      }
      const cli = await runCli(["settings", "set", "audit.retention_days", "7", "--account", a, "--json"], { env: s.env });
      expect(cli.code).toBe(2);
      expect(JSON.parse(cli.stdout).error).toMatchObject({ code: "settings_audit_retention_invalid", field: "audit.retention_days" });
      const zh = await runCli(["settings", "set", "audit.retention_days", "7", "--account", a], { env: { ...s.env, LANG: "zh_CN.UTF-8" } });
      expect(zh.code).toBe(2);
      expect(zh.stderr + zh.stdout).toContain("审计日志保留天数（audit.retention_days）");
      expect(translator("en")("errors.settings_audit_retention_invalid", { min: 30, max: 3650 })).toBe("Audit log retention (audit.retention_days) must be off (empty) or a whole number of days from 30 to 3650.");
      expect(await retention(a)).toBeNull();
      expect((await s.db.selectFrom("accounts").select("name").where("id", "=", a).executeTakeFirstOrThrow()).name).toBe("Shop A");
    });

    it("owners only: a manager is refused (403) and the setting is unchanged", async () => {
      const { userId } = await createAdminUser(s, { email: "manager@a.example", password: PASSWORD, accountId: a });
      await setAdminRole(s.db, a, userId, "manager");
      const m = await browser().signedIn("manager@a.example", PASSWORD);
      const res = await m.post("/admin/settings.data", { csrf: await m.csrf(), intent: "save", "audit.retention_days": "30" });
      expect(res.status).toBe(403);
      expect(await retention(a)).toBeNull();
    });

    it("the owner sets it on the settings page (shown back, audited); another account's owner changes only their own", async () => {
      const res = await ownerA.post("/admin/settings.data", { csrf: await ownerA.csrf(), intent: "save", "audit.retention_days": "90" });
      expect(res.status).toBe(200);
      expect(await retention(a)).toBe(90);
      const page = await (await ownerA.get("/admin/settings")).text();
      expect(page).toContain("Audit log retention (days)");
      expect(page).toContain('name="audit.retention_days"');
      const audit = (await s.db.selectFrom("audit_log").selectAll().where("account_id", "=", a).where("action", "=", "settings.changed").execute()).at(-1)!;
      expect(JSON.parse(audit.details!).changes).toEqual({ "audit.retention_days": { before: null, after: 90 } });
      // B's owner saving the same form reaches B's account only.
      const rb = await ownerB.post("/admin/settings.data", { csrf: await ownerB.csrf(), intent: "save", "audit.retention_days": "off" });
      expect(rb.status).toBe(200);
      expect(await retention(b)).toBeNull();
      expect(await retention(a)).toBe(90);
      // The CLI twin reads it back.
      const get = await runCli(["settings", "get", "audit.retention_days", "--account", a, "--json"], { env: s.env });
      expect(JSON.parse(get.stdout)).toEqual({ accountId: a, settings: { "audit.retention_days": 90 } });
    });

    it("prune (CLI, --json) deletes only A's sealed rows older than 90 days, writes audit.pruned, and verify still passes from the anchor", async () => {
      await sealAudit(s, { now: later() });
      const beforeA = await rowsOf(a);
      const beforeB = await rowsOf(b);
      const unsealed = await recordAudit(s.db, { accountId: a, actorType: "cli", action: "pool.created", subjectType: "pool", subjectId: "unsealed" }).then(() => rowsOf(a));
      const sealedBefore = (await verifyAudit(s, a)).sealedRows;
      const r = await runCli(["audit", "prune", "--json"], { env: s.env });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ ok: true, accounts: [{ accountId: a, retentionDays: 90, pruned: 6 }] });
      const after = await rowsOf(a);
      expect(after.map((x) => x.id)).toEqual([...unsealed.slice(6).map((x) => x.id), after.at(-1)!.id]);
      expect(after.filter((x) => x.action === "key.revealed")).toEqual([]);
      const pruned = await s.db.selectFrom("audit_log").selectAll().where("account_id", "=", a).where("action", "=", "audit.pruned").executeTakeFirstOrThrow();
      expect(pruned.actor_type).toBe("cli");
      expect(JSON.parse(pruned.details!)).toMatchObject({ count: 6, retentionDays: 90 });
      // B (no retention) untouched.
      expect(await rowsOf(b)).toEqual(beforeB);
      void beforeA;
      const v = await verifyAudit(s, a);
      expect(v).toMatchObject({ ok: true, sealedRows: sealedBefore, prunedRows: 6, notYetSealed: 2 });
      await sealAudit(s, { now: later() });
      expect(await verifyAudit(s, a)).toMatchObject({ ok: true, sealedRows: sealedBefore + 2, prunedRows: 6, notYetSealed: 0 });
      const cliVerify = await runCli(["audit", "verify", "--json"], { env: s.env });
      expect(cliVerify.code, cliVerify.stdout).toBe(0);
      // Pruning again finds nothing more (the retained rows are all recent).
      expect((await pruneAudit(s, { accountId: a }))[0]).toMatchObject({ pruned: 0 });
      expect(await s.db.selectFrom("audit_log").select("id").where("account_id", "=", a).where("action", "=", "audit.pruned").execute()).toHaveLength(1);
      // The Audit log page says so (A), and B's says every row is kept.
      const pageA = await (await ownerA.get("/admin/audit")).text();
      expect(pageA).toContain("Retention: sealed rows older than 90 days are pruned.");
      expect(pageA).toContain("6 rows pruned so far");
      expect(await (await ownerB.get("/admin/audit")).text()).toContain("Retention: every audit row is kept.");
    });

    it("after pruning, an edited retained row is detected", async () => {
      const target = (await rowsOf(a))[1]!.id;
      const before = await s.db.selectFrom("audit_log").select("details").where("id", "=", target).executeTakeFirstOrThrow();
      await s.db.updateTable("audit_log").set({ details: JSON.stringify({ forged: true }) }).where("id", "=", target).execute();
      const v = await verifyAudit(s, a);
      expect(v.ok).toBe(false);
      expect(v.firstProblem).toMatchObject({ kind: "edited", auditId: target });
      const cli = await runCli(["audit", "verify", "--account", a, "--json"], { env: s.env });
      expect(cli.code).toBe(1);
      // A chain that does not verify is never pruned.
      await s.db.updateTable("accounts").set({ audit_retention_days: 30 }).where("id", "=", a).execute();
      const rows = await rowsOf(a);
      expect((await pruneAudit(s, { accountId: a, now: new Date(Date.now() + 400 * DAY) }))[0]).toMatchObject({ pruned: 0, refused: "chain_not_intact" });
      expect(await rowsOf(a)).toEqual(rows);
      await s.db.updateTable("accounts").set({ audit_retention_days: 90 }).where("id", "=", a).execute();
      await s.db.updateTable("audit_log").set({ details: before.details }).where("id", "=", target).execute();
      expect((await verifyAudit(s, a)).ok).toBe(true);
    });

    it("after pruning, a deleted retained row is detected, also the first one after the anchor with its chain entry", async () => {
      const [first, second] = await rowsOf(a);
      await s.db.deleteFrom("audit_log").where("id", "=", second!.id).execute();
      const v = await verifyAudit(s, a);
      expect(v.ok).toBe(false);
      expect(v.firstProblem).toMatchObject({ kind: "removed", auditId: second!.id });
      // Deleting the first retained row and its chain entry too: the chain no longer starts at the anchor.
      await s.db.deleteFrom("audit_chain").where("audit_id", "=", first!.id).execute();
      await s.db.deleteFrom("audit_log").where("id", "=", first!.id).execute();
      const w = await verifyAudit(s, a);
      expect(w.ok).toBe(false);
      expect(w.firstProblem).toMatchObject({ kind: "chain_broken" });
      // The other account still verifies.
      expect((await verifyAudit(s, b)).ok).toBe(true);
    });
  });
}

/** The embedded admin (/app/settings, Shopify session tokens): the same field, and another shop's token changes only its own account. */
describe("audit retention in the embedded admin", () => {
  let s: TestServices;
  let http: { url: string; close(): Promise<void> };
  let accountA: string;
  let accountB: string;
  const post = (shopName: string, fields: Record<string, string>) => embeddedPost(http.url, "/app/settings.data", shopName, fields);
  const retention = async (id: string) => (await s.db.selectFrom("accounts").select("audit_retention_days").where("id", "=", id).executeTakeFirstOrThrow()).audit_retention_days;

  beforeAll(async () => {
    s = await makeServices({ dialect: "sqlite", env: { ...SHOPIFY_ENV } });
    http = await startHttp(s);
    accountA = (await installShopifyShop(s, { shop: TEST_SHOP })).account_id;
    await storeOfflineSession(s, TEST_SHOP);
    accountB = (await installShopifyShop(s, { shop: "other-shop.myshopify.com" })).account_id;
    await storeOfflineSession(s, "other-shop.myshopify.com");
  });
  afterAll(async () => {
    await http?.close();
    await s?.cleanup();
  });

  it("shows and saves audit.retention_days; a bad value is refused naming it; the other shop reaches only its own account", async () => {
    const html = await (await embeddedPage(http.url, "/app/settings", TEST_SHOP_NAME)).text();
    expect(html).toContain('name="audit.retention_days"');
    const bad = await post(TEST_SHOP_NAME, { intent: "save", "audit.retention_days": "29" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("audit.retention_days");
    expect(await retention(accountA)).toBeNull();
    expect((await post(TEST_SHOP_NAME, { intent: "save", "audit.retention_days": "365" })).status).toBe(200);
    expect(await retention(accountA)).toBe(365);
    expect((await post("other-shop", { intent: "save", "audit.retention_days": "30" })).status).toBe(200);
    expect(await retention(accountB)).toBe(30);
    expect(await retention(accountA)).toBe(365);
  });
});
