import crypto from "node:crypto";

/**
 * OAuth 1.0a "one-legged" signing as WooCommerce requires over plain HTTP, byte for byte what the
 * npm client `@woocommerce/woocommerce-rest-api` sends (oauth-1.0a, HMAC-SHA256, parameters in the
 * query string, signing key `secret&`). Over HTTP this puts the consumer key and the signature in
 * the URL — WooCommerce's protocol, not a choice — so a signed URL must never be logged.
 */

/** RFC 3986 encoding, as oauth-1.0a's percentEncode and PHP's rawurlencode. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export type QueryValue = string | number | boolean;

/**
 * The query string the npm client builds for HTTP: keys sorted, values encodeURIComponent'd,
 * brackets in keys left readable (`filter[x]`), as its `_normalizeQueryString` does.
 */
export function normalizedQuery(params: Record<string, QueryValue | undefined>): string {
  return Object.keys(params)
    .filter((k) => params[k] !== undefined)
    .sort()
    .map((k) => `${encodeURIComponent(k).replace(/%5B/g, "[").replace(/%5D/g, "]")}=${encodeURIComponent(String(params[k]))}`)
    .join("&");
}

export interface OAuthInputs {
  method: string;
  /** The full URL without OAuth parameters: scheme, host, path and the normalized query. */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  nonce: string;
  timestamp: number;
}

export function oauthSignature(i: OAuthInputs): { params: Record<string, string>; signature: string } {
  const oauth: Record<string, string> = {
    oauth_consumer_key: i.consumerKey,
    oauth_nonce: i.nonce,
    oauth_signature_method: "HMAC-SHA256",
    oauth_timestamp: String(i.timestamp),
    oauth_version: "1.0",
  };
  const [base, query] = splitUrl(i.url);
  // oauth-1.0a reads the query back with raw keys and decoded values, then encodes both.
  const all: Record<string, string> = { ...oauth };
  for (const pair of query ? query.split("&") : []) {
    const [k, v = ""] = pair.split("=");
    all[k] = decodeURIComponent(v);
  }
  const paramString = Object.entries(all)
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const baseString = `${i.method.toUpperCase()}&${percentEncode(base)}&${percentEncode(paramString)}`;
  // WooCommerce keys are `cs_` + hex, so encoding the secret (oauth-1.0a) or not (WooCommerce) agree.
  const signature = crypto.createHmac("sha256", `${percentEncode(i.consumerSecret)}&`).update(baseString).digest("base64");
  return { params: oauth, signature };
}

/** The URL to request: the normalized query followed by the OAuth parameters and the signature. */
export function signUrl(i: OAuthInputs): string {
  const { params, signature } = oauthSignature(i);
  const oauthQuery = Object.entries({ ...params, oauth_signature: signature })
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
  return `${i.url}${i.url.includes("?") ? "&" : "?"}${oauthQuery}`;
}

/** 32 alphanumerics, like oauth-1.0a; WooCommerce refuses a nonce it saw in the last 15 minutes. */
export function oauthNonce(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const bytes = crypto.randomBytes(32);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf("?");
  return q === -1 ? [url, ""] : [url.slice(0, q), url.slice(q + 1)];
}
