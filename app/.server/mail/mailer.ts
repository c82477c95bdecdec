import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import { PermanentError, RetryableError } from "../domain/errors.ts";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  from?: string;
  /** The name shown on the From line (the account's sender name); the address stays `from`'s. */
  fromName?: string;
  replyTo?: string;
  /** The Message-ID header (`<…@…>`); nodemailer makes a random one when absent. */
  messageId?: string;
}

/**
 * The From header: `from` (or MAIL_FROM) as it is, or its address under `fromName`. Nodemailer
 * quotes and encodes a name given this way, so a name cannot add an address or a header.
 */
export function fromHeader(mail: Pick<OutgoingMail, "from" | "fromName">, fallback: string): string | { name: string; address: string } {
  const from = mail.from ?? fallback;
  if (!mail.fromName) return from;
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
  return { name: mail.fromName.replace(/[\u0000-\u001f\u007f]+/g, " "), address };
}

export interface SentMail {
  messageId: string;
  /** The .eml file written (embedded default), or the SMTP server's reply. */
  location: string;
}

export interface Mailer {
  readonly description: string;
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

/** SMTP when SMTP_URL is set; otherwise every message is written as an .eml file to the outbox folder. */
export function createMailer(opts: { smtpUrl?: string; outboxDir: string; from: string }): Mailer {
  return opts.smtpUrl ? new SmtpMailer(opts.smtpUrl, opts.from) : new FileMailer(opts.outboxDir, opts.from);
}

class SmtpMailer implements Mailer {
  readonly description: string;
  private readonly transport: Transporter;
  private readonly from: string;
  constructor(url: string, from: string) {
    this.from = from;
    const u = new URL(url);
    this.description = `SMTP ${u.hostname}:${u.port || (u.protocol === "smtps:" ? 465 : 587)}`;
    // Bounded waits: a mail host that never answers must fail the attempt well inside the job
    // lock timeout, or the sweeper could hand the same email to a second worker.
    this.transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 });
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    try {
      const { fromName: _name, ...rest } = mail;
      const info = await this.transport.sendMail({ ...rest, from: fromHeader(mail, this.from) });
      return { messageId: info.messageId, location: String(info.response ?? "") };
    } catch (e) {
      const err = e as { responseCode?: number; code?: string; message: string };
      // 5xx is the server's final word on this message (bad address, rejected) — except an
      // authentication failure (530/534/535), which is our configuration and passes once fixed.
      // Anything else (connection refused, timeout, 4xx greylisting) may pass later too.
      if (err.responseCode && err.responseCode >= 500 && ![530, 534, 535].includes(err.responseCode)) {
        throw new PermanentError("mail_rejected", `SMTP server rejected the message (${err.responseCode})`, { status: err.responseCode, detail: String(err.responseCode) });
      }
      // Only the code (ECONNREFUSED, EAUTH, 421): the server's text may echo the login.
      const detail = String(err.code ?? err.responseCode ?? "error");
      throw new RetryableError("mail_unavailable", `SMTP delivery failed: ${detail}`, { params: { detail } });
    }
  }

  close() {
    this.transport.close();
  }
}

class FileMailer implements Mailer {
  readonly description: string;
  private readonly transport: Transporter;
  private readonly dir: string;
  private readonly from: string;
  constructor(dir: string, from: string) {
    this.dir = dir;
    this.from = from;
    this.description = `files in ${dir}`;
    this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const { fromName: _name, ...rest } = mail;
    const info = await this.transport.sendMail({ ...rest, from: fromHeader(mail, this.from) });
    await fs.mkdir(this.dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${crypto.randomBytes(4).toString("hex")}.eml`;
    const file = path.join(this.dir, name);
    await fs.writeFile(file, info.message as Buffer, { mode: 0o600 });
    return { messageId: info.messageId, location: file };
  }

  close() {}
}
