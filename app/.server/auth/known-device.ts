import { type Cookie, createCookie } from "react-router";
import type { Services } from "../ports.ts";

/**
 * The keyrelay_device cookie: set after a successful sign-in, it makes this browser a known
 * device of that email (crypto/device-token.ts), so the email's sign-in limit for it is its own
 * and a stranger's failures elsewhere never lock it out. httpOnly, sent only to /login.
 */
export const DEVICE_COOKIE = "keyrelay_device";

const cookies = new WeakMap<Services, Cookie>();

function deviceCookie(s: Pick<Services, "config">): Cookie {
  let cookie = cookies.get(s as Services);
  if (!cookie) {
    cookie = createCookie(DEVICE_COOKIE, {
      httpOnly: true,
      sameSite: "lax",
      path: "/login",
      secure: s.config.appUrl.startsWith("https://"),
      maxAge: s.config.login.deviceDays * 86_400,
    });
    cookies.set(s as Services, cookie);
  }
  return cookie;
}

/** The device token this request carries, if any (checked against an email by the use-case). */
export async function readDeviceToken(s: Pick<Services, "config">, request: Request): Promise<string | undefined> {
  const value: unknown = await deviceCookie(s).parse(request.headers.get("cookie"));
  return typeof value === "string" ? value : undefined;
}

/** The Set-Cookie header that keeps `token` in this browser. */
export function deviceCookieHeader(s: Pick<Services, "config">, token: string): Promise<string> {
  return deviceCookie(s).serialize(token);
}
