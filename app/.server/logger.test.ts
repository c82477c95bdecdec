import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      cb();
    },
  });
  return { log: createLogger({ level: "debug", destination: sink as never }), lines };
}

const SECRET_FIELDS = [
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "secret",
  "webhookSecret",
  "apiSecret",
  "apiSecretKey",
  "consumerKey",
  "consumerSecret",
  "masterKey",
  "sessionSecret",
  "password",
  "plaintext",
  "keyCodes",
  "authorization",
  "cookie",
];

describe("logger redaction", () => {
  it.each(SECRET_FIELDS)("censors %s at the top level and one level down", (field) => {
    const { log, lines } = capture();
    const top = `top-${field}-SENSITIVE`;
    const nested = `nested-${field}-SENSITIVE`;
    log.info({ [field]: top, store: { [field]: nested } }, "hello");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("SENSITIVE");
    const parsed = JSON.parse(lines[0]);
    expect(parsed[field]).toBe("[redacted]");
    expect(parsed.store[field]).toBe("[redacted]");
  });

  it("censors authorization and cookie headers on a request and nested ones", () => {
    const { log, lines } = capture();
    const headers = { authorization: "Bearer HDR-SENSITIVE", cookie: "keyrelay_admin=HDR-SENSITIVE", "set-cookie": "a=HDR-SENSITIVE", accept: "text/html" };
    log.info({ headers, req: { headers: { ...headers } }, request: { headers: { ...headers } } }, "request");
    expect(lines[0]).not.toContain("SENSITIVE");
    const parsed = JSON.parse(lines[0]);
    expect(parsed.headers.accept).toBe("text/html");
    expect(parsed.req.headers.authorization).toBe("[redacted]");
    expect(parsed.request.headers.cookie).toBe("[redacted]");
  });

  it("censors key codes given as a list", () => {
    const { log, lines } = capture();
    log.info({ keyCodes: ["AAAA-SENSITIVE", "BBBB-SENSITIVE"], batch: { keyCodes: ["CCCC-SENSITIVE"] } }, "import");
    expect(lines[0]).not.toContain("SENSITIVE");
  });

  it("keeps error codes and other ordinary fields", () => {
    const { log, lines } = capture();
    log.warn({ code: "ECONNREFUSED", err: { code: "ETIMEDOUT", message: "connect failed" }, codes: ["E1", "E2"], storeId: "st-1" }, "smtp down");
    const parsed = JSON.parse(lines[0]);
    expect(parsed.code).toBe("ECONNREFUSED");
    expect(parsed.err.code).toBe("ETIMEDOUT");
    expect(parsed.codes).toEqual(["E1", "E2"]);
    expect(parsed.storeId).toBe("st-1");
    expect(lines[0]).toContain("ECONNREFUSED");
  });
});
