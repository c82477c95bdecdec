import { describe, expect, it } from "vitest";
import { generateToken, hashToken, parseToken, requestFingerprint, tokenMatches } from "./reseller-token.ts";

describe("reseller tokens", () => {
  it("has a visible prefix and the mode in its name; only the hash is kept", () => {
    const live = generateToken("live");
    expect(live.token).toMatch(/^kr_live_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(live.token.startsWith(`${live.prefix}_`)).toBe(true);
    expect(live.hash).toEqual(hashToken(live.token));
    expect(live.hash.length).toBe(32);
    expect(generateToken("test").token).toMatch(/^kr_test_/);
  });
  it("two tokens never share a prefix or secret", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(generateToken("live").prefix);
    expect(seen.size).toBe(200);
  });
  it("parses only the right shape", () => {
    const t = generateToken("test");
    expect(parseToken(t.token)).toEqual({ prefix: t.prefix, mode: "test" });
    expect(parseToken(t.token + "x")).toBeNull();
    expect(parseToken(t.token.replace("kr_test_", "kr_prod_"))).toBeNull();
    expect(parseToken("")).toBeNull();
  });
  it("matches the stored hash only for the exact token", () => {
    const t = generateToken("live");
    expect(tokenMatches(t.token, t.hash)).toBe(true);
    const wrong = t.token.slice(0, -1) + (t.token.endsWith("A") ? "B" : "A");
    expect(tokenMatches(wrong, t.hash)).toBe(false);
    expect(tokenMatches(t.token, Buffer.alloc(3))).toBe(false);
  });
  it("fingerprints a request by its canonical text", () => {
    expect(requestFingerprint("a")).toBe(requestFingerprint("a"));
    expect(requestFingerprint("a")).not.toBe(requestFingerprint("b"));
  });
});
