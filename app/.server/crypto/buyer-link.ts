import crypto from "node:crypto";

/**
 * The buyer's key-page link: `/k/<token>`, where the token is base64url of
 *
 *   version (1 byte) ‖ order id (16-byte UUID) ‖ expiry (uint32, Unix seconds) ‖ HMAC-SHA256 tag (16 bytes)
 *
 * The tag covers the first 21 bytes under a key derived from the session secret with its own label
 * (`linkKey`), so a link never works as a cookie signature or the other way round, and no new secret
 * has to be configured. There is no key material in the token: it names an order and a deadline,
 * and the page reads the order's keys at the time of the visit. Verification is timing-safe; a
 * tampered, truncated or foreign token is "invalid", a genuine one past its deadline "expired" (its
 * order is still named, so the page can say which shop to ask for a new link).
 */
const VERSION = 1;
const TAG_BYTES = 16;
const BODY_BYTES = 1 + 16 + 4;
const TOKEN_BYTES = BODY_BYTES + TAG_BYTES;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type BuyerLinkCheck =
  | { status: "valid"; orderId: string; expiresAt: Date }
  | { status: "expired"; orderId: string; expiresAt: Date }
  | { status: "invalid" };

/** The link-signing key: an HMAC of the session secret with a label (domain separation). */
export function linkKey(sessionSecret: string): Buffer {
  return crypto.createHmac("sha256", sessionSecret).update("keyrelay buyer key-page link v1").digest();
}

export function signBuyerLink(key: Buffer, orderId: string, expiresAt: Date): string {
  if (!UUID.test(orderId)) throw new Error("order id is not a UUID");
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 0xffffffff) throw new Error("expiry out of range");
  const body = Buffer.alloc(BODY_BYTES);
  body.writeUInt8(VERSION, 0);
  Buffer.from(orderId.replace(/-/g, ""), "hex").copy(body, 1);
  body.writeUInt32BE(seconds, 17);
  return Buffer.concat([body, tag(key, body)]).toString("base64url");
}

export function verifyBuyerLink(key: Buffer, token: string, now: Date = new Date()): BuyerLinkCheck {
  // Exact length and alphabet before decoding: Node's base64url decoder skips what it does not know.
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]+$/.test(token) || token.length !== Math.ceil((TOKEN_BYTES * 4) / 3)) return { status: "invalid" };
  const raw = Buffer.from(token, "base64url");
  if (raw.length !== TOKEN_BYTES || raw.toString("base64url") !== token) return { status: "invalid" };
  const body = raw.subarray(0, BODY_BYTES);
  if (!crypto.timingSafeEqual(tag(key, body), raw.subarray(BODY_BYTES))) return { status: "invalid" };
  if (body.readUInt8(0) !== VERSION) return { status: "invalid" };
  const hex = body.subarray(1, 17).toString("hex");
  const orderId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expiresAt = new Date(body.readUInt32BE(17) * 1000);
  return expiresAt.getTime() <= now.getTime() ? { status: "expired", orderId, expiresAt } : { status: "valid", orderId, expiresAt };
}

/** The public URL of an order's key page, valid for `days` from `now`. */
export function buyerLinkUrl(opts: { appUrl: string; sessionSecret: string; orderId: string; days: number; now?: Date }): string {
  const expiresAt = new Date((opts.now ?? new Date()).getTime() + opts.days * 86_400_000);
  return `${opts.appUrl.replace(/\/$/, "")}/k/${signBuyerLink(linkKey(opts.sessionSecret), opts.orderId, expiresAt)}`;
}

function tag(key: Buffer, body: Buffer): Buffer {
  return crypto.createHmac("sha256", key).update(body).digest().subarray(0, TAG_BYTES);
}
