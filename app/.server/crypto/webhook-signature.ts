import crypto from "node:crypto";

/**
 * The signature of webhooks to resellers, as Stripe signs: `Keyrelay-Signature: t=<unix
 * seconds>,v1=<hex HMAC-SHA256 of "t.body">`, so a receiver can refuse replays; and the
 * endpoints' signing secrets.
 */
export function signPayload(secret: string, body: string, unixSeconds: number): string {
  const mac = crypto.createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver checks: a v1 signature of this body with this secret, made within `toleranceS`. */
export function verifySignature(header: string | null, secret: string, body: string, nowSeconds: number, toleranceS = 300): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(nowSeconds - t) > toleranceS || !parts.v1) return false;
  const expected = Buffer.from(signPayload(secret, body, t).split("v1=")[1], "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export function newEndpointSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}
