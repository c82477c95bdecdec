import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleParser, type AddressObject } from "mailparser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KeyrelayError } from "../../app/.server/domain/errors.ts";
import { createMailer, type Mailer } from "../../app/.server/mail/mailer.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";

const FROM = "小店 keyrelay <shop@example.com>";
const SUBJECT = "您的卡密已送达：订单 #1001";
const TEXT = "您好，\n\n您的卡密：ABCD-EFGH-1234\n感谢您的购买！";
const HTML = "<p>您好，</p><p>您的卡密：<code>ABCD-EFGH-1234</code></p><p>感谢您的购买！</p>";

function addresses(a: AddressObject | AddressObject[] | undefined) {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => ({ name: v.name, address: v.address })));
}

describe("SMTP mailer against a real SMTP server", () => {
  let smtp: TestSmtpServer;
  const mailers: Mailer[] = [];
  const mailer = (smtpUrl: string) => {
    const m = createMailer({ smtpUrl, outboxDir: "/nonexistent/never-used", from: FROM });
    mailers.push(m);
    return m;
  };

  beforeAll(async () => {
    smtp = await startSmtpServer({ rejectRecipients: ["gone@example.com"] });
  });
  afterEach(() => {
    for (const m of mailers.splice(0)) m.close();
  });
  afterAll(async () => {
    await smtp?.stop();
  });

  it("delivers a UTF-8 (Chinese) message intact: from, to, subject, text and html", async () => {
    const m = mailer(smtp.url);
    expect(m.description).toBe(`SMTP 127.0.0.1:${smtp.port}`);
    const before = smtp.received.length;
    const sent = await m.send({ to: "买家 <buyer@example.com>", subject: SUBJECT, text: TEXT, html: HTML });
    expect(sent.messageId).toMatch(/^<.+@.+>$/);
    expect(sent.location).toMatch(/^250\b/);

    const [mail] = (await smtp.waitForMessages(before + 1)).slice(before);
    expect(mail.envelope).toEqual({ from: "shop@example.com", to: ["buyer@example.com"] });
    expect(addresses(mail.parsed.from)).toEqual([{ name: "小店 keyrelay", address: "shop@example.com" }]);
    expect(addresses(mail.parsed.to)).toEqual([{ name: "买家", address: "buyer@example.com" }]);
    expect(mail.parsed.subject).toBe(SUBJECT);
    expect(mail.parsed.text?.trimEnd()).toBe(TEXT);
    expect(mail.parsed.html).toContain(HTML);
    expect(mail.parsed.messageId).toBe(sent.messageId);
  });

  it("uses the per-message from address when one is given", async () => {
    const before = smtp.received.length;
    await mailer(smtp.url).send({ to: "buyer@example.com", from: "alerts@example.org", subject: "提醒", text: "库存不足" });
    const [mail] = (await smtp.waitForMessages(before + 1)).slice(before);
    expect(mail.envelope.from).toBe("alerts@example.org");
    expect(mail.parsed.subject).toBe("提醒");
    expect(mail.parsed.text?.trimEnd()).toBe("库存不足");
  });

  it("a recipient rejected with 550 is a permanent error", async () => {
    const before = smtp.received.length;
    const err = await mailer(smtp.url)
      .send({ to: "gone@example.com", subject: SUBJECT, text: TEXT })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(KeyrelayError);
    expect(err).toMatchObject({ kind: "permanent", code: "mail_rejected", params: { status: 550 } });
    expect(smtp.received.length).toBe(before);
  });

  it("a closed port is a retryable error", async () => {
    const dead = await startSmtpServer();
    const port = dead.port;
    await dead.stop();
    const started = Date.now();
    const err = await mailer(`smtp://127.0.0.1:${port}`)
      .send({ to: "buyer@example.com", subject: SUBJECT, text: TEXT })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(KeyrelayError);
    expect(err).toMatchObject({ kind: "retryable", code: "mail_unavailable" });
    // Connection refused is immediate: nothing waits for a timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("file mailer (no SMTP_URL)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-mail-"));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes a parseable .eml file, mode 0600, into the outbox folder and returns its path", async () => {
    const outboxDir = path.join(dir, "outbox");
    const m = createMailer({ outboxDir, from: FROM });
    expect(m.description).toBe(`files in ${outboxDir}`);
    const sent = await m.send({ to: "buyer@example.com", subject: SUBJECT, text: TEXT, html: HTML });
    m.close();

    expect(path.dirname(sent.location)).toBe(outboxDir);
    expect(sent.location).toMatch(/\.eml$/);
    expect(fs.readdirSync(outboxDir)).toEqual([path.basename(sent.location)]);
    expect(fs.statSync(sent.location).mode & 0o777).toBe(0o600);

    const parsed = await simpleParser(fs.readFileSync(sent.location));
    expect(addresses(parsed.from)).toEqual([{ name: "小店 keyrelay", address: "shop@example.com" }]);
    expect(addresses(parsed.to)).toEqual([{ name: "", address: "buyer@example.com" }]);
    expect(parsed.subject).toBe(SUBJECT);
    expect(parsed.text?.trimEnd()).toBe(TEXT);
    expect(parsed.html).toContain(HTML);
    expect(parsed.messageId).toBe(sent.messageId);
  });

  it("two messages get two distinct files", async () => {
    const outboxDir = path.join(dir, "outbox2");
    const m = createMailer({ outboxDir, from: FROM });
    const a = await m.send({ to: "a@example.com", subject: "一", text: "1" });
    const b = await m.send({ to: "b@example.com", subject: "二", text: "2" });
    expect(a.location).not.toBe(b.location);
    expect(fs.readdirSync(outboxDir).sort()).toEqual([path.basename(a.location), path.basename(b.location)].sort());
    expect((await simpleParser(fs.readFileSync(b.location))).subject).toBe("二");
  });
});
