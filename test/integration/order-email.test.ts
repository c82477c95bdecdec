import type { AddressObject } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyrelayError } from "../../app/.server/domain/errors.ts";
import { createMailer } from "../../app/.server/mail/mailer.ts";
import { applyHostOrder } from "../../app/.server/use-cases/apply-host-order.ts";
import { fillBackorders } from "../../app/.server/use-cases/fill-backorders.ts";
import { resendOrderEmail } from "../../app/.server/use-cases/resend-order-email.ts";
import { sendOrderEmail } from "../../app/.server/use-cases/send-order-email.ts";
import { dialects } from "../support/dialects.ts";
import { makeShop, paidOrder, stockPool, type Shop } from "../support/fulfilment-fixtures.ts";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../support/smtp-server.ts";
import { makeServices, type TestServices } from "../support/test-services.ts";

function addresses(a: AddressObject | AddressObject[] | undefined) {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => ({ name: v.name, address: v.address })));
}

async function caught(p: Promise<unknown>): Promise<KeyrelayError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof KeyrelayError)) throw new Error(`expected a KeyrelayError, got ${String(e)}`);
  return e;
}

for (const { dialect, available } of dialects) {
  describe.skipIf(!available)(`the buyer's delivery email on ${dialect}`, () => {
    let smtp: TestSmtpServer;
    let s: TestServices;
    /** Every code stocked by this suite: none may appear in a job payload, a log line or an error. */
    const allCodes: string[] = [];
    let buyerSeq = 0;

    beforeAll(async () => {
      smtp = await startSmtpServer();
      // Workers stay off: each test runs the send-email job itself, so it sees every outcome.
      s = await makeServices({ dialect, env: { SMTP_URL: smtp.url, MAIL_FROM: "keyrelay <no-reply@keyrelay.test>" } });
    });
    afterAll(async () => {
      await s?.cleanup();
      await smtp?.stop();
    });

    const stock = async (shop: Shop, codes: string[]) => {
      allCodes.push(...codes);
      await stockPool(s, shop.accountId, shop.poolId, codes);
    };
    const newBuyer = () => `buyer-${dialect}-${++buyerSeq}@example.com`;
    const mailsTo = (address: string): ReceivedMail[] => smtp.received.filter((m) => m.envelope.to.includes(address));
    const pendingEmailJob = (orderId: string) =>
      s.db.selectFrom("jobs").selectAll().where("queue", "=", "send-email").where("status", "=", "pending").where("payload", "like", `%${orderId}%`).orderBy("id").execute();
    const jobRow = (id: number) => s.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    /** Runs the order's waiting send-email job as a worker would; returns the row afterwards. */
    const runEmailJob = async (orderId: string) => {
      const [job] = await pendingEmailJob(orderId);
      expect(job, "a send-email job is waiting").toBeDefined();
      await s.jobs.runJob(job.id);
      return jobRow(job.id);
    };
    const emailDelivery = (orderId: string) => s.db.selectFrom("deliveries").selectAll().where("order_id", "=", orderId).where("channel", "=", "email").executeTakeFirst();
    const keyStates = async (orderId: string) =>
      s.db
        .selectFrom("allocations as a")
        .innerJoin("order_lines as l", "l.id", "a.order_line_id")
        .leftJoin("keys as k", "k.id", "a.key_id")
        .select(["a.unit_index", "a.status", "a.key_id", "k.state"])
        .where("l.order_id", "=", orderId)
        .orderBy("a.unit_index")
        .execute();

    it("a paid order gets one email: its keys in HTML (escaped, monospace) and text, from the merchant's address", async () => {
      const shop = await makeShop(s);
      await s.db.updateTable("stores").set({ name: `Tom & Jerry's <Shop>` }).where("id", "=", shop.store.id).execute();
      await s.db.updateTable("accounts").set({ mail_from: '"Tom & Jerry" <sales@tj.example>', mail_reply_to: "help@tj.example" }).where("id", "=", shop.accountId).execute();
      const codes = [`KEY<b>&"'-${dialect}`, `PLAIN-${dialect}-0001`];
      await stock(shop, codes);
      const buyer = newBuyer();
      const host = paidOrder({ quantity: 2, email: buyer });
      host.lines[0].title = `Game <card> & "more"`;
      const { orderId } = await applyHostOrder(s, shop.store, host);

      const job = await runEmailJob(orderId);
      expect(job).toMatchObject({ status: "done", last_error: null });
      const mails = mailsTo(buyer);
      expect(mails).toHaveLength(1);
      const [mail] = mails;

      expect(mail.envelope.from).toBe("sales@tj.example");
      expect(addresses(mail.parsed.from)).toEqual([{ name: "Tom & Jerry", address: "sales@tj.example" }]);
      expect(addresses(mail.parsed.replyTo)).toEqual([{ name: "", address: "help@tj.example" }]);
      expect(addresses(mail.parsed.to)).toEqual([{ name: "", address: buyer }]);
      expect(mail.parsed.subject).toBe(`Your keys for order ${host.name} from Tom & Jerry's <Shop>`);

      const text = mail.parsed.text ?? "";
      expect(text).toContain(`Hello Ada Buyer,`);
      expect(text).toContain(`Thank you for your order ${host.name} at Tom & Jerry's <Shop>. Here are your keys:`);
      expect(text).toContain(`Game <card> & "more"\n  ${codes[0]}\n  ${codes[1]}`);
      expect(text).not.toContain("will follow");

      const html = mail.parsed.html || "";
      expect(html).toMatch(new RegExp(`<code style="[^"]*monospace[^"]*">KEY&lt;b&gt;&amp;&quot;&#39;-${dialect}</code>`));
      expect(html).toMatch(new RegExp(`<code[^>]*>PLAIN-${dialect}-0001</code>`));
      expect(html).toContain("Game &lt;card&gt; &amp; &quot;more&quot;");
      expect(html).toContain("Tom &amp; Jerry&#39;s &lt;Shop&gt;");
      expect(html).not.toContain("<b>");
      expect(html).not.toContain("<Shop>");

      // Keys became `delivered` before the send; the row names what was mailed.
      expect((await keyStates(orderId)).map((u) => u.state)).toEqual(["delivered", "delivered"]);
      const delivery = await emailDelivery(orderId);
      expect(delivery).toMatchObject({ status: "sent", last_error: null, attempts: 1 });
      expect(delivery?.reference).toMatch(/^[0-9a-f]{32}$/);
      expect(delivery?.sent_at).toBeTruthy();
    });

    it("a backordered order: the first email says the rest will follow; the fill sends the rest", async () => {
      const shop = await makeShop(s);
      await stock(shop, [`BACK-${dialect}-1`]);
      const buyer = newBuyer();
      const host = paidOrder({ quantity: 3, email: buyer });
      const { orderId, allocated, backordered } = await applyHostOrder(s, shop.store, host);
      expect({ allocated, backordered }).toEqual({ allocated: 1, backordered: 2 });

      await runEmailJob(orderId);
      const [first] = mailsTo(buyer);
      expect(first.parsed.subject).toBe(`Your keys for order ${host.name} from Test shop`);
      expect(first.parsed.text).toContain(`Game card\n  BACK-${dialect}-1\n  2 more keys for Game card will follow by email as soon as they are restocked.`);
      expect(first.parsed.html).toContain("2 more keys for Game card will follow by email as soon as they are restocked.");

      await stock(shop, [`BACK-${dialect}-2`, `BACK-${dialect}-3`]);
      expect(await fillBackorders(s, { accountId: shop.accountId, poolId: shop.poolId })).toEqual({ filled: 2 });
      const [filledJob] = await pendingEmailJob(orderId);
      expect(JSON.parse(filledJob.payload)).toEqual({ orderId, kind: "backorder-filled" });
      await runEmailJob(orderId);

      const mails = mailsTo(buyer);
      expect(mails).toHaveLength(2);
      const second = mails[1];
      expect(second.parsed.subject).toBe(`The rest of your keys for order ${host.name} from Test shop`);
      expect(second.parsed.text).toContain("the keys your order");
      expect(second.parsed.text).toContain(`Game card\n  BACK-${dialect}-1\n  BACK-${dialect}-2\n  BACK-${dialect}-3`);
      expect(second.parsed.text).not.toContain("will follow");
      expect(second.parsed.html).toMatch(new RegExp(`<code[^>]*>BACK-${dialect}-3</code>`));
      expect((await keyStates(orderId)).map((u) => u.state)).toEqual(["delivered", "delivered", "delivered"]);
    });

    it("a WooCommerce store sends no email of its own by default; an admin's resend does, for this account only", async () => {
      const shop = await makeShop(s, { platform: "woocommerce", domain: `https://woo-${dialect}.example` });
      await stock(shop, [`WOO-${dialect}-1`]);
      const buyer = newBuyer();
      const { orderId } = await applyHostOrder(s, shop.store, paidOrder({ email: buyer }));
      expect(await pendingEmailJob(orderId)).toEqual([]);
      expect(await emailDelivery(orderId)).toBeUndefined();

      // A stray job (staged before the merchant switched email off) is skipped, not sent.
      const stray = await caught(sendOrderEmail(s, { orderId, kind: "delivery" }));
      expect(stray).toMatchObject({ kind: "ignored", code: "store_email_off" });
      expect(await emailDelivery(orderId)).toMatchObject({ status: "skipped" });
      expect(mailsTo(buyer)).toHaveLength(0);

      const other = await makeShop(s);
      expect(await caught(resendOrderEmail(s, other.accountId, orderId, { type: "admin", id: "someone-else" }))).toMatchObject({ kind: "invalid_input", code: "order_not_found" });
      expect(await caught(resendOrderEmail(s, shop.accountId, "00000000-0000-0000-0000-000000000000", { type: "admin" }))).toMatchObject({ code: "order_not_found" });

      const { jobId } = await resendOrderEmail(s, shop.accountId, orderId, { type: "admin", id: "admin-1", ip: "203.0.113.9" });
      expect(JSON.parse((await jobRow(jobId)).payload)).toEqual({ orderId, kind: "resend" });
      await s.jobs.runJob(jobId);
      expect(await jobRow(jobId)).toMatchObject({ status: "done" });
      const mails = mailsTo(buyer);
      expect(mails).toHaveLength(1);
      expect(mails[0].parsed.subject).toBe(`Your keys for order #${(await s.db.selectFrom("orders").select("external_id").where("id", "=", orderId).executeTakeFirstOrThrow()).external_id} from Test shop (sent again)`);
      expect(mails[0].parsed.text).toContain("As requested, here are the keys");
      expect(mails[0].parsed.text).toContain(`  WOO-${dialect}-1`);
      const audit = await s.db.selectFrom("audit_log").selectAll().where("action", "=", "order.email_resent").where("subject_id", "=", orderId).execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ account_id: shop.accountId, actor_type: "admin", actor_id: "admin-1", ip: "203.0.113.9" });
    });

    it("re-running a job that already sent sends nothing; a resend of the same content does", async () => {
      const shop = await makeShop(s);
      await stock(shop, [`ONCE-${dialect}-1`]);
      const buyer = newBuyer();
      const { orderId } = await applyHostOrder(s, shop.store, paidOrder({ email: buyer }));
      const [job] = await pendingEmailJob(orderId);
      // Duplicate triggers of one row run it once.
      await Promise.all(Array.from({ length: 10 }, () => s.jobs.runJob(job.id)));
      expect(mailsTo(buyer)).toHaveLength(1);
      const sent = await emailDelivery(orderId);

      // The worker died after the send (the job row went back to pending, or the sweeper re-ran it).
      await s.db.updateTable("jobs").set({ status: "pending", locked_at: null, locked_by: null }).where("id", "=", job.id).execute();
      await s.jobs.runJob(job.id);
      expect(await jobRow(job.id)).toMatchObject({ status: "done", error_kind: "ignored" });
      // A new delivery request with nothing new (a re-run of the order) is also quiet.
      const again = await s.jobs.enqueue("send-email", { orderId, kind: "delivery" }, { dedupeKey: `send-email:${orderId}` });
      await s.jobs.runJob(again.id);
      expect(await caught(sendOrderEmail(s, { orderId, kind: "backorder-filled" }))).toMatchObject({ kind: "ignored", code: "already_sent" });
      expect(mailsTo(buyer)).toHaveLength(1);
      expect(await emailDelivery(orderId)).toMatchObject({ status: "sent", reference: sent?.reference, sent_at: sent?.sent_at });

      const { jobId } = await resendOrderEmail(s, shop.accountId, orderId, { type: "admin" });
      await s.jobs.runJob(jobId);
      expect(mailsTo(buyer)).toHaveLength(2);
    });

    it("a zh-CN order is mailed in Chinese", async () => {
      const shop = await makeShop(s);
      await stock(shop, [`ZH-${dialect}-1`]);
      const buyer = newBuyer();
      const host = { ...paidOrder({ quantity: 2, email: buyer }), locale: "zh-CN", customerName: "张三" };
      host.lines[0].title = "游戏点卡";
      const { orderId } = await applyHostOrder(s, shop.store, host);
      await runEmailJob(orderId);
      const [mail] = mailsTo(buyer);
      expect(mail.parsed.subject).toBe(`【Test shop】订单 ${host.name} 的卡密已发货`);
      const text = mail.parsed.text ?? "";
      expect(text).toContain("张三，您好：");
      expect(text).toContain(`感谢您在 Test shop 下单（订单 ${host.name}）。您的卡密如下：`);
      expect(text).toContain(`游戏点卡\n  ZH-${dialect}-1\n  「游戏点卡」还有 1 个卡密暂时缺货，补货后将第一时间通过邮件发送给您。`);
      expect(mail.parsed.html).toContain('<html lang="zh-CN">');
      expect(mail.parsed.html).toContain("请妥善保存本邮件");
    });

    it("uses the pool's own template, field by field, and the default for a field that does not validate", async () => {
      const shop = await makeShop(s);
      await s.db
        .updateTable("pools")
        .set({ email_subject: "{{shop}} · {{order}} · {{products}}", email_text: "Hi {{buyer}}!\n\n{{keys}}\n\n-- {{shop}} support", email_html: "<p>Thanks, no keys placeholder here</p>" })
        .where("id", "=", shop.poolId)
        .execute();
      await stock(shop, [`TPL-${dialect}-1`]);
      const buyer = newBuyer();
      const host = paidOrder({ email: buyer });
      const { orderId } = await applyHostOrder(s, shop.store, host);
      await runEmailJob(orderId);
      const [mail] = mailsTo(buyer);
      expect(mail.parsed.subject).toBe(`Test shop · ${host.name} · Game card`);
      // {{keys}} ends with the signed key-page link (test/integration/buyer-keys-http.test.ts opens one).
      expect(mail.parsed.text?.trimEnd()).toMatch(
        new RegExp(`^Hi Ada Buyer!\\n\\nGame card\\n  TPL-${dialect}-1\\n\\nYou can also view your keys online: http://localhost:3000/k/[A-Za-z0-9_-]{50}\\n\\n-- Test shop support$`),
      );
      // The stored HTML has no {{keys}}: the buyer gets the default HTML, with the key, instead.
      expect(mail.parsed.html).not.toContain("no keys placeholder");
      expect(mail.parsed.html).toMatch(new RegExp(`<code[^>]*>TPL-${dialect}-1</code>`));
      expect(s.logLines.some((l) => l.includes("pool email template is invalid") && l.includes(shop.poolId))).toBe(true);
    });

    it("an order without a buyer email is skipped, and says why", async () => {
      const shop = await makeShop(s);
      await stock(shop, [`NOMAIL-${dialect}-1`]);
      const { orderId } = await applyHostOrder(s, shop.store, { ...paidOrder(), email: null as unknown as string });
      const job = await runEmailJob(orderId);
      expect(job).toMatchObject({ status: "done", error_kind: "ignored" });
      expect(await emailDelivery(orderId)).toMatchObject({ status: "skipped", last_error: "the order has no buyer email" });
    });

    it("SMTP down: the job is retried (retryable), the keys stay with the order, and the retry mails the same keys", async () => {
      const shop = await makeShop(s);
      const codes = [`DOWN-${dialect}-1`, `DOWN-${dialect}-2`];
      await stock(shop, codes);
      const buyer = newBuyer();
      const { orderId } = await applyHostOrder(s, shop.store, paidOrder({ quantity: 2, email: buyer }));
      const before = await keyStates(orderId);

      const dead = await startSmtpServer();
      await dead.stop();
      const realMailer = s.mailer;
      s.mailer = createMailer({ smtpUrl: dead.url, outboxDir: "/nonexistent/never-used", from: "x@example.com" });
      let job;
      try {
        job = await runEmailJob(orderId);
      } finally {
        s.mailer.close();
        s.mailer = realMailer;
      }
      expect(job).toMatchObject({ status: "pending", attempts: 1, error_kind: "retryable" });
      expect(job.last_error).toMatch(/^SMTP delivery failed/);
      expect(await emailDelivery(orderId)).toMatchObject({ status: "failed", last_error: job.last_error });
      const after = await keyStates(orderId);
      expect(after.map((u) => [u.unit_index, u.status, u.key_id])).toEqual(before.map((u) => [u.unit_index, u.status, u.key_id]));
      expect(after.map((u) => u.state)).toEqual(["delivered", "delivered"]);
      expect(mailsTo(buyer)).toHaveLength(0);

      // The backoff elapses; the retry succeeds with exactly the order's keys.
      await s.db.updateTable("jobs").set({ run_at: new Date(Date.now() - 1000).toISOString() }).where("id", "=", job.id).execute();
      await s.jobs.runJob(job.id);
      expect(await jobRow(job.id)).toMatchObject({ status: "done", attempts: 2 });
      const [mail] = mailsTo(buyer);
      expect(mail.parsed.text).toContain(`  ${codes[0]}\n  ${codes[1]}`);
      expect(await emailDelivery(orderId)).toMatchObject({ status: "sent", last_error: null });
    });

    it("a send repeated before the first was recorded has the same Message-ID (mail systems fold the copies); a resend has its own", async () => {
      const shop = await makeShop(s);
      await stock(shop, [`MID-${dialect}-1`]);
      const buyer = newBuyer();
      const { orderId } = await applyHostOrder(s, shop.store, paidOrder({ email: buyer }));
      await sendOrderEmail(s, { orderId, kind: "delivery" });
      // The SMTP server accepted it, then the process died before the row said "sent".
      await s.db.updateTable("deliveries").set({ status: "pending", reference: null }).where("order_id", "=", orderId).where("channel", "=", "email").execute();
      await sendOrderEmail(s, { orderId, kind: "delivery" });
      await sendOrderEmail(s, { orderId, kind: "resend" });
      const ids = mailsTo(buyer).map((m) => m.parsed.messageId);
      expect(ids).toHaveLength(3);
      expect(ids[0]).toMatch(/^<[0-9a-f]{40}@[^>]+>$/);
      expect(ids[1]).toBe(ids[0]);
      expect(ids[2]).not.toBe(ids[0]);
      // Another order with the same content template gets another Message-ID.
      await stock(shop, [`MID-${dialect}-2`]);
      const other = await applyHostOrder(s, shop.store, paidOrder({ email: buyer }));
      await sendOrderEmail(s, { orderId: other.orderId, kind: "delivery" });
      expect(mailsTo(buyer)[3].parsed.messageId).not.toBe(ids[0]);
    });

    it("no key plaintext in job payloads, job errors, delivery rows, the audit log or the logs", async () => {
      expect(allCodes.length).toBeGreaterThan(10);
      const jobs = await s.db.selectFrom("jobs").select(["payload", "last_error"]).execute();
      const deliveries = await s.db.selectFrom("deliveries").select(["reference", "last_error"]).execute();
      const audit = await s.db.selectFrom("audit_log").select(["details"]).execute();
      expect(jobs.some((j) => j.payload.includes("send-email") || JSON.parse(j.payload).kind)).toBe(true);
      const haystack = [...jobs.flatMap((j) => [j.payload, j.last_error]), ...deliveries.flatMap((d) => [d.reference, d.last_error]), ...audit.map((a) => a.details), ...s.logLines].join("\n");
      expect(s.logLines.some((l) => l.includes("delivery email sent"))).toBe(true);
      for (const code of allCodes) expect(haystack.includes(code), code).toBe(false);
      // Not even the distinctive parts of the codes.
      expect(haystack).not.toMatch(/(KEY<b>|PLAIN-|BACK-|WOO-|ONCE-|ZH-|TPL-|DOWN-)\w*-\d/);
    });
  });
}
