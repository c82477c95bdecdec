import crypto from "node:crypto";

/**
 * "This browser has signed in to this email before": the keyrelay_device cookie's value.
 *
 *   v1.<device id>.<tag>.<tag>…
 *
 * The device id is 16 random bytes made at the browser's first sign-in and kept after. Each tag is
 * an HMAC of (device id, email) under a key derived from the session secret with its own label,
 * one per email that signed in on this browser (the latest first, at most MAX_EMAILS). The cookie
 * names no email, and nobody without the secret can make a tag: copying another browser's device
 * id without its tags makes nothing known.
 */
const VERSION = "v1";
const ID_BYTES = 16;
const TAG_CHARS = 22; // 16 bytes of HMAC-SHA256, base64url
export const MAX_EMAILS = 5;

export function deviceKey(sessionSecret: string): Buffer {
  return crypto.createHmac("sha256", sessionSecret).update("keyrelay known device v1").digest();
}

function tagFor(key: Buffer, deviceId: string, email: string): string {
  return crypto.createHmac("sha256", key).update(`${deviceId}\n${email}`, "utf8").digest("base64url").slice(0, TAG_CHARS);
}

function parse(token: string | undefined): { deviceId: string; tags: string[] } | undefined {
  if (!token || token.length > 512) return undefined;
  const [version, deviceId, ...tags] = token.split(".");
  if (version !== VERSION || !/^[A-Za-z0-9_-]{22}$/.test(deviceId ?? "")) return undefined;
  return { deviceId, tags: tags.filter((t) => t.length === TAG_CHARS).slice(0, MAX_EMAILS) };
}

/** The device id when `token` says this browser signed in to `email` before; otherwise undefined. */
export function knownDeviceFor(key: Buffer, token: string | undefined, email: string): string | undefined {
  const parsed = parse(token);
  if (!parsed) return undefined;
  const expected = Buffer.from(tagFor(key, parsed.deviceId, email));
  const found = parsed.tags.some((t) => {
    const given = Buffer.from(t);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  return found ? parsed.deviceId : undefined;
}

/** The token after `email` signed in on this browser: its device id kept (or a new one), this email's tag first. */
export function deviceTokenAfterSignIn(key: Buffer, token: string | undefined, email: string): string {
  const parsed = parse(token);
  const deviceId = parsed?.deviceId ?? crypto.randomBytes(ID_BYTES).toString("base64url");
  const tag = tagFor(key, deviceId, email);
  const others = (parsed?.tags ?? []).filter((t) => t !== tag);
  return [VERSION, deviceId, tag, ...others].slice(0, 2 + MAX_EMAILS).join(".");
}
