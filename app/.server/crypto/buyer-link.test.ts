import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { buyerLinkUrl, linkKey, signBuyerLink, verifyBuyerLink } from "./buyer-link.ts";

const key = linkKey("s".repeat(32));
const orderId = "0b5c3f7e-1d2a-4c8b-9e6f-123456789abc";
const now = new Date("2026-11-30T12:00:00Z");
const later = new Date("2026-12-30T12:00:00Z");

describe("buyer links", () => {
  it("round-trips the order id and expiry, in URL-safe characters with no key material", () => {
    const token = signBuyerLink(key, orderId, later);
    expect(token).toMatch(/^[A-Za-z0-9_-]{50}$/);
    expect(verifyBuyerLink(key, token, now)).toEqual({ status: "valid", orderId, expiresAt: later });
  });

  it("is expired at and after its deadline, still naming the order", () => {
    const token = signBuyerLink(key, orderId, later);
    expect(verifyBuyerLink(key, token, later)).toMatchObject({ status: "expired", orderId });
    expect(verifyBuyerLink(key, token, new Date(later.getTime() + 1000)).status).toBe("expired");
  });

  it("refuses every single-character change, truncation, extension and foreign key", () => {
    const token = signBuyerLink(key, orderId, later);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (let i = 0; i < token.length; i++) {
      const c = alphabet[(alphabet.indexOf(token[i]) + 1) % alphabet.length];
      const tampered = token.slice(0, i) + c + token.slice(i + 1);
      expect(verifyBuyerLink(key, tampered, now).status, `position ${i}`).toBe("invalid");
    }
    for (const bad of [token.slice(0, -1), token + "A", "", "not a token", token.replace(/./, "+"), `${token.slice(0, 49)}=`]) {
      expect(verifyBuyerLink(key, bad, now).status).toBe("invalid");
    }
    expect(verifyBuyerLink(linkKey("t".repeat(32)), token, now).status).toBe("invalid");
  });

  it("derives a key of its own from the session secret (not the secret itself)", () => {
    expect(linkKey("s".repeat(32)).equals(Buffer.from("s".repeat(32)))).toBe(false);
    expect(linkKey("s".repeat(32)).equals(crypto.createHmac("sha256", "s".repeat(32)).update("").digest())).toBe(false);
  });

  it("builds the page URL under the app URL", () => {
    const url = buyerLinkUrl({ appUrl: "https://keys.example.com/", sessionSecret: "s".repeat(32), orderId, days: 30, now });
    const token = url.replace("https://keys.example.com/k/", "");
    const check = verifyBuyerLink(key, token, now);
    expect(check).toMatchObject({ status: "valid", orderId });
    expect(check.status === "valid" && check.expiresAt.toISOString()).toBe("2026-12-30T12:00:00.000Z");
  });
});
