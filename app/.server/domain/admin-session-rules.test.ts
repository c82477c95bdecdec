import { describe, expect, it } from "vitest";
import { LAST_SEEN_INTERVAL_MS, SESSION_MAX_AGE_MS, sessionExpiry, sessionState, shouldTouch } from "./admin-session-rules.ts";

const signedIn = new Date("2026-03-01T08:00:00.000Z");
const expires = sessionExpiry(signedIn).toISOString();
const at = (ms: number) => new Date(signedIn.getTime() + ms);

describe("admin session rules", () => {
  it("lasts 12 hours from sign-in", () => {
    expect(expires).toBe("2026-03-01T20:00:00.000Z");
    expect(SESSION_MAX_AGE_MS).toBe(12 * 3600_000);
  });

  it("is active until it expires, then expired", () => {
    expect(sessionState({ expires_at: expires, revoked_at: null }, at(0))).toBe("active");
    expect(sessionState({ expires_at: expires, revoked_at: null }, at(SESSION_MAX_AGE_MS - 1))).toBe("active");
    expect(sessionState({ expires_at: expires, revoked_at: null }, at(SESSION_MAX_AGE_MS))).toBe("expired");
  });

  it("is revoked from the moment it is revoked, whatever its expiry", () => {
    expect(sessionState({ expires_at: expires, revoked_at: at(1000).toISOString() }, at(0))).toBe("revoked");
  });

  it("moves last seen at most once a minute", () => {
    const seen = at(0).toISOString();
    expect(shouldTouch(seen, at(LAST_SEEN_INTERVAL_MS - 1))).toBe(false);
    expect(shouldTouch(seen, at(LAST_SEEN_INTERVAL_MS))).toBe(true);
  });
});
