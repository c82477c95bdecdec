import crypto from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * WooCommerce's REST authentication (includes/class-wc-rest-authentication.php), re-implemented
 * independently of the client so a signing bug cannot hide behind shared code:
 * - over HTTPS (`ssl: true` in the fake): Basic auth, or consumer_key/consumer_secret in the query;
 * - otherwise OAuth 1.0a one-legged, parameters from the query ($_GET), base string
 *   METHOD&rawurlencode(home + path)&…, parameters sorted with strcmp, HMAC-SHA1/SHA256 with
 *   `secret&`, timestamp within 15 minutes, nonce never reused;
 * - then the key's read/write permission against the method.
 */
export interface FakeApiKey {
  consumerKey: string;
  consumerSecret: string;
  permissions: "read" | "write" | "read_write";
  /** false: the key's WordPress user lacks manage_woocommerce (routes answer 403 woocommerce_rest_cannot_*). */
  canManage: boolean;
  nonces: Map<string, number>;
}

export type WpErrorBody = { code: string; message: string; data: { status: number } };
export type AuthResult = { kind: "ok"; key: FakeApiKey } | { kind: "anonymous" } | { kind: "error"; status: number; body: WpErrorBody; basic: boolean };

const wpError = (code: string, message: string, status = 401): WpErrorBody => ({ code, message, data: { status } });

/** PHP's rawurlencode: everything but A-Z a-z 0-9 - _ . ~ */
export function rawurlencode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** PHP's $_GET: urldecode ("+" is a space), last value wins, `a[b]` nests one level, "." and " " in names become "_". */
export function phpQuery(rawQuery: string): Record<string, string | Record<string, string>> {
  const out: Record<string, string | Record<string, string>> = {};
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  };
  for (const pair of rawQuery.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = decode(eq === -1 ? "" : pair.slice(eq + 1));
    const nested = /^([^[]+)\[([^\]]*)\]$/.exec(name);
    if (nested) {
      const base = nested[1].replace(/[. ]/g, "_");
      const bag = typeof out[base] === "object" ? (out[base] as Record<string, string>) : {};
      bag[nested[2]] = value;
      out[base] = bag;
    } else {
      out[name.replace(/[. ]/g, "_")] = value;
    }
  }
  return out;
}

export function authenticate(req: IncomingMessage, opts: { ssl: boolean; home: string; keys: Map<string, FakeApiKey>; now?: () => number }): AuthResult {
  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const params = phpQuery(q === -1 ? "" : rawUrl.slice(q + 1));
  const nowSec = Math.floor((opts.now ?? Date.now)() / 1000);
  let error: WpErrorBody | null = null;
  let basicTried = false;

  if (opts.ssl) {
    basicTried = true;
    let key = "";
    let secret = "";
    if (typeof params.consumer_key === "string" && params.consumer_key && typeof params.consumer_secret === "string" && params.consumer_secret) {
      key = params.consumer_key;
      secret = params.consumer_secret;
    }
    const header = req.headers.authorization ?? "";
    if (!key && /^Basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) {
        key = decoded.slice(0, colon);
        secret = decoded.slice(colon + 1);
      }
    }
    if (key && secret) {
      const found = opts.keys.get(key);
      if (found) {
        if (safeEqual(found.consumerSecret, secret)) return { kind: "ok", key: found };
        error = wpError("woocommerce_rest_authentication_error", "Consumer secret is invalid.");
      }
      // An unknown key sets no error: WooCommerce falls through to OAuth, then to anonymous.
    }
  }

  const names = ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"];
  const missing = names.filter((n) => !params[n]);
  if (missing.length < names.length) {
    if (missing.length) {
      return fail(wpError("woocommerce_rest_authentication_missing_parameter", `Missing OAuth parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`), basicTried);
    }
    const key = opts.keys.get(String(params.oauth_consumer_key));
    if (!key) return fail(wpError("woocommerce_rest_authentication_error", "Consumer key is invalid."), basicTried);
    const sigError = checkSignature(req.method ?? "GET", `${opts.home}${path.startsWith("/") ? path : `/${path}`}`, params, key.consumerSecret);
    if (sigError) return fail(sigError, basicTried);
    const ts = Number(params.oauth_timestamp);
    if (!(ts >= nowSec - 900 && ts <= nowSec + 900)) return fail(wpError("woocommerce_rest_authentication_error", "Invalid timestamp."), basicTried);
    const nonce = String(params.oauth_nonce);
    for (const [n, at] of key.nonces) if (at < nowSec - 900) key.nonces.delete(n);
    if (key.nonces.has(nonce)) return fail(wpError("woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used."), basicTried);
    key.nonces.set(nonce, ts);
    return { kind: "ok", key };
  }
  return error ? fail(error, basicTried) : { kind: "anonymous" };
}

function fail(body: WpErrorBody, basic: boolean): AuthResult {
  return { kind: "error", status: body.data.status, body, basic };
}

function checkSignature(method: string, baseUri: string, params: Record<string, string | Record<string, string>>, secret: string): WpErrorBody | null {
  const consumerSignature = decodeURIComponentSafe(String(params.oauth_signature).replace(/ /g, "+"));
  const rest = { ...params };
  delete rest.oauth_signature;
  const sorted = Object.keys(rest).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  const parts: string[] = [];
  for (const k of sorted) {
    const v = rest[k];
    const encodedKey = rawurlencode(k);
    if (typeof v === "object") {
      for (const [sub, sv] of Object.entries(v)) parts.push(rawurlencode(`${encodedKey}%5B${sub}%5D=${rawurlencode(sv)}`));
    } else {
      parts.push(rawurlencode(`${encodedKey}=${rawurlencode(v)}`));
    }
  }
  const stringToSign = `${method.toUpperCase()}&${rawurlencode(baseUri)}&${parts.join("%26")}`;
  const methodName = String(params.oauth_signature_method);
  if (methodName !== "HMAC-SHA1" && methodName !== "HMAC-SHA256") return wpError("woocommerce_rest_authentication_error", "Invalid signature - signature method is invalid.");
  const expected = crypto.createHmac(methodName === "HMAC-SHA1" ? "sha1" : "sha256", `${secret}&`).update(stringToSign).digest("base64");
  return safeEqual(expected, consumerSignature) ? null : wpError("woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.");
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The key's read/write permission against the method (check_permissions), after authentication. */
export function permissionError(key: FakeApiKey, method: string): WpErrorBody | null {
  const m = method.toUpperCase();
  if ((m === "GET" || m === "HEAD") && key.permissions === "write") return wpError("woocommerce_rest_authentication_error", "The API key provided does not have read permissions.");
  if (["POST", "PUT", "PATCH", "DELETE"].includes(m) && key.permissions === "read") return wpError("woocommerce_rest_authentication_error", "The API key provided does not have write permissions.");
  return null;
}

/** What a route answers a caller who may not use it (wc_rest_check_*_permissions). */
export function capabilityError(method: string, isCollection: boolean, loggedIn: boolean): WpErrorBody {
  const status = loggedIn ? 403 : 401;
  const m = method.toUpperCase();
  if (m === "GET") return isCollection ? wpError("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", status) : wpError("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.", status);
  if (m === "POST") return wpError("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.", status);
  if (m === "DELETE") return wpError("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.", status);
  return wpError("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.", status);
}
