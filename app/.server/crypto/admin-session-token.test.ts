import { describe, expect, it } from "vitest";
import { csrfKey, csrfTokenFor, hashSessionId, isSessionIdShaped, newSessionId, tokensEqual } from "./admin-session-token.ts";

describe("admin session tokens", () => {
  it("makes 256-bit random ids that are stored only as their SHA-256", () => {
    const id = newSessionId();
    expect(isSessionIdShaped(id)).toBe(true);
    expect(newSessionId()).not.toBe(id);
    const hash = hashSessionId(id);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(id);
  });

  it("refuses values that are not session ids before any lookup", () => {
    for (const v of [undefined, "", "abc", "x".repeat(44), "a".repeat(42) + "=", 42]) expect(isSessionIdShaped(v)).toBe(false);
  });

  it("derives a CSRF token per session and per secret", () => {
    const key = csrfKey("s".repeat(40));
    const a = newSessionId();
    const b = newSessionId();
    expect(csrfTokenFor(key, a)).toBe(csrfTokenFor(key, a));
    expect(csrfTokenFor(key, a)).not.toBe(csrfTokenFor(key, b));
    expect(csrfTokenFor(csrfKey("t".repeat(40)), a)).not.toBe(csrfTokenFor(key, a));
  });

  it("compares tokens without throwing on odd input", () => {
    expect(tokensEqual("abc", "abc")).toBe(true);
    expect(tokensEqual("abc", "abd")).toBe(false);
    expect(tokensEqual("abc", "ab")).toBe(false);
    expect(tokensEqual("abc", "ab\u00e9")).toBe(false);
    expect(tokensEqual("abc", null)).toBe(false);
  });
});
