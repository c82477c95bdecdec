import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  /** The SMTP envelope (MAIL FROM / RCPT TO), as the server saw it. */
  envelope: { from: string | false; to: string[] };
  /** The raw message as received. */
  raw: Buffer;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Resolves with the first `count` messages once that many have arrived; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

/**
 * A real SMTP server (nodemailer's smtp-server) on 127.0.0.1 and a random port: plain text,
 * no TLS, no authentication. Every accepted message is parsed with mailparser.
 * `rejectRecipients` answers RCPT TO for those addresses with 550 (a permanent failure).
 * `port` listens on that port instead (the fault suite stops a server and starts another on the same port).
 */
export async function startSmtpServer(opts: { rejectRecipients?: string[]; port?: number } = {}): Promise<TestSmtpServer> {
  const reject = new Set((opts.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  const received: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    // Nodemailer keeps no connection open after sendMail, but do not make stop() wait on one.
    closeTimeout: 1_000,
    onRcptTo(address, _session, callback) {
      if (reject.has(address.address.toLowerCase())) {
        const err = Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 });
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", (e) => callback(e));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            received.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
            });
            for (const w of waiters.splice(0)) w();
            callback();
          })
          .catch((e: Error) => callback(e));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Errors after start (a client hanging up mid-session) must not crash the test process.
  server.on("error", () => {});
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    waitForMessages(count, timeoutMs = 5_000) {
      return new Promise((resolve, rejectWait) => {
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve(received.slice(0, count));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          rejectWait(new Error(`timed out after ${timeoutMs} ms waiting for ${count} message(s); got ${received.length}`));
        }, timeoutMs);
        const loop = () => {
          if (!check()) waiters.push(loop);
        };
        loop();
      });
    },
    stop() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
