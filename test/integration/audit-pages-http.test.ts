import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "../../app/.server/db/repositories/audit-repo.ts";
import { setAdminRole } from "../../app/.server/db/repositories/team-repo.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { AdminBrowser } from "../support/admin-browser.ts";
import { dialects } from "../support/dialects.ts";
import { startHttp } from "../support/http-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

/**
 * The audit log page over the built server (standalone admin; the embedded one shares the loader,
 * and the role and tenant matrices send both): newest first a page at a time, actors resolved to
 * an email, actions as catalog labels (English and Chinese), filters and search, the account's own
 * rows only, and the CSV export: BOM, formula-safe cells, the filter applied, the export audited.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`audit log page over HTTP (${dialect})`, () => {
    let s: TestServices;
    let http: { url: string; close(): Promise<void> };
    let accountId: string;
    let otherAccount: string;
    let ownerId: string;
    let owner: AdminBrowser;
    let support: AdminBrowser;

    beforeAll(async () => {
      s = await makeServices({ dialect, env: { TRUST_PROXY: "1", LOGIN_MAX_ATTEMPTS: "100" } });
      http = await startHttp(s);
      const o = await createAdminUser(s, { email: "owner@audit.example", password: PASSWORD, accountName: "Audit shop" });
      accountId = o.accountId;
      ownerId = o.userId;
      const sup = await createAdminUser(s, { email: "support@audit.example", password: PASSWORD, accountId });
      await setAdminRole(s.db, accountId, sup.userId, "support");
      otherAccount = (await createAdminUser(s, { email: "owner@other.example", password: PASSWORD, accountName: "Other shop" })).accountId;
      await s.db.updateTable("accounts").set({ time_zone: "Asia/Shanghai" }).where("id", "=", accountId).execute();
      // 60 old system rows (for paging), then the rows the assertions look for.
      for (let i = 0; i < 60; i++) await recordAudit(s.db, { accountId, actorType: "system", action: "backorders.filled", subjectType: "pool", subjectId: `pool-${i}`, details: { n: i } });
      await recordAudit(s.db, { accountId, actorType: "admin", actorId: ownerId, action: "key.revealed", subjectType: "order", subjectId: "order-abc", ip: "198.51.100.7" });
      await recordAudit(s.db, { accountId, actorType: "cli", action: "made.up_action", subjectType: "store", subjectId: "=HYPERLINK(\"x\")" });
      await recordAudit(s.db, { accountId: otherAccount, actorType: "admin", action: "key.revealed", subjectType: "order", subjectId: "other-secret-order" });
      owner = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.60" }).signedIn("owner@audit.example", PASSWORD);
      support = await new AdminBrowser(http.url, { "x-forwarded-for": "203.0.113.61" }).signedIn("support@audit.example", PASSWORD);
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await s?.cleanup();
    });

    it("lists the account's rows newest first with the actor's email, a translated action, the IP and a link to the order; never another account's", async () => {
      const res = await owner.get("/admin/audit");
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain("Audit log");
      expect(page).toContain("owner@audit.example");
      expect(page).toContain("Key revealed");
      expect(page).toContain("198.51.100.7");
      expect(page).toContain("/admin/orders/order-abc");
      // An action without a catalog entry shows its raw name.
      expect(page).toContain("made.up_action");
      expect(page).not.toContain("other-secret-order");
      // Newest first: the CLI row (written last) before the reveal, the reveal before the system rows.
      expect(page.indexOf("=HYPERLINK(")).toBeGreaterThan(0);
      expect(page.indexOf("=HYPERLINK(")).toBeLessThan(page.indexOf("198.51.100.7"));
      expect(page.indexOf("198.51.100.7")).toBeLessThan(page.indexOf("pool-59"));
      const zh = await (await owner.get("/admin/audit", { "accept-language": "zh-CN" })).text();
      expect(zh).toContain("审计日志");
      expect(zh).toContain("卡密已查看");
    });

    it("pages with a cursor: the first page holds 50 rows, the next the rest, no row twice", async () => {
      const ids = (html: string) => [...html.matchAll(/pool-(\d+)/g)].map((m) => m[1]);
      const first = await (await owner.get("/admin/audit?actorType=system")).text();
      const cursor = /cursor=(\d+)/.exec(first)?.[1];
      expect(cursor).toBeTruthy();
      const second = await (await owner.get(`/admin/audit?actorType=system&cursor=${cursor}`)).text();
      const a = new Set(ids(first));
      const b = new Set(ids(second));
      expect(a.size).toBe(50);
      expect(b.size).toBeGreaterThanOrEqual(10);
      for (const id of b) expect(a.has(id)).toBe(false);
      // The last page offers no older one.
      expect([...second.matchAll(/cursor=(\d+)/g)].map((m) => m[1]).filter((c) => c !== cursor)).toEqual([]);
    });

    it("filters by actor type and action, searches by subject id and by actor email; a bad filter names its field", async () => {
      const cli = await (await owner.get("/admin/audit?actorType=cli")).text();
      expect(cli).toContain("=HYPERLINK(");
      expect(cli).not.toContain("order-abc");
      const action = await (await owner.get("/admin/audit?action=key.revealed")).text();
      expect(action).toContain("order-abc");
      expect(action).not.toContain("pool-1<");
      expect(action).not.toContain("=HYPERLINK(");
      const bySubject = await (await owner.get("/admin/audit?q=order-abc")).text();
      expect(bySubject).toContain("198.51.100.7");
      expect(bySubject).not.toContain("=HYPERLINK(");
      const byEmail = await (await owner.get("/admin/audit?q=OWNER%40audit")).text();
      expect(byEmail).toContain("order-abc");
      expect(byEmail).not.toContain("pool-3<");
      const bad = await (await owner.get("/admin/audit?actorType=robot")).text();
      expect(bad).toContain("Actor type must be one of");
      const badDay = await (await owner.get("/admin/audit?from=2026-13-40")).text();
      expect(badDay).toContain("from must be a date");
    });

    it("a support member is refused the page and the export", async () => {
      expect((await support.get("/admin/audit")).status).toBe(403);
      expect((await support.get("/admin/audit/export")).status).toBe(403);
    });

    it("exports the filtered rows as CSV: BOM, formula-safe, local times, and the export itself is audited", async () => {
      const res = await owner.get("/admin/audit/export?actorType=cli&action=made.up_action");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/csv");
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const csv = new TextDecoder().decode(bytes.slice(3));
      const lines = csv.trim().split("\r\n");
      expect(lines[0]).toBe("id,time,time_zone,actor_type,actor_id,actor,action,subject_type,subject_id,ip,details");
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain("Asia/Shanghai");
      expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
      const audited = await s.db.selectFrom("audit_log").selectAll().where("account_id", "=", accountId).where("action", "=", "audit.exported").execute();
      expect(audited).toHaveLength(1);
      expect(audited[0]!.actor_id).toBe(ownerId);
      expect(JSON.parse(audited[0]!.details!)).toMatchObject({ rows: 1, actorType: "cli", action: "made.up_action" });
    });
  });
}
