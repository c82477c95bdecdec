import { HostError } from "../host-error.ts";
import { errorFromResponse } from "./http-error.ts";
import { normalizedQuery, oauthNonce, signUrl, type QueryValue } from "./oauth1-signature.ts";

/**
 * A small fetch client for `{url}/wp-json/wc/v3/…`, authenticating as the npm client
 * `@woocommerce/woocommerce-rest-api` does: HTTP Basic over HTTPS, OAuth 1.0a in the query string
 * over plain HTTP. Written instead of using that package (axios) to get an injectable fetch, a
 * per-request AbortSignal timeout, the response headers for pagination and the raw error bodies.
 *
 * Nothing here logs. Errors name the method and the path only — never the query (over HTTP it
 * carries the consumer key and signature) and never a request body (notes carry keys).
 */
export interface WooCommerceConnection {
  /** The store's site URL, e.g. https://shop.example (a sub-directory install keeps its path). */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface WooResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  query?: Record<string, QueryValue | undefined>;
  body?: unknown;
}

export type WooCommerceRestClient = <T = unknown>(method: "GET" | "POST" | "PUT" | "DELETE", endpoint: string, opts?: RequestOptions) => Promise<WooResponse<T>>;

/** The site URL without a trailing slash; a bare host ("shop.example") is taken as https. */
export function siteBase(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, "");
  return /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

/** `{site}/wp-json/` — WordPress's REST index, public, says which namespaces (wc/v3) exist. */
export function restIndexUrl(url: string): string {
  return `${siteBase(url)}/wp-json/`;
}

export function createWooCommerceRestClient(conn: WooCommerceConnection): WooCommerceRestClient {
  const doFetch = conn.fetch ?? fetch;
  const timeoutMs = conn.timeoutMs ?? 15_000;
  const base = siteBase(conn.url);
  const https = /^https:/i.test(base);

  return async function request<T>(method: "GET" | "POST" | "PUT" | "DELETE", endpoint: string, opts: RequestOptions = {}): Promise<WooResponse<T>> {
    const path = endpoint.replace(/^\/+/, "");
    const what = `${method} /${path}`;
    const query = normalizedQuery(opts.query ?? {});
    const plain = `${base}/wp-json/wc/v3/${path}${query ? `?${query}` : ""}`;
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "keyrelay (WooCommerce REST client)" };
    let url = plain;
    if (https) {
      headers.Authorization = `Basic ${Buffer.from(`${conn.consumerKey}:${conn.consumerSecret}`).toString("base64")}`;
    } else {
      url = signUrl({ method, url: plain, consumerKey: conn.consumerKey, consumerSecret: conn.consumerSecret, nonce: oauthNonce(), timestamp: Math.floor(Date.now() / 1000) });
    }
    if (opts.body !== undefined) headers["Content-Type"] = "application/json;charset=utf-8";

    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
      text = await res.text();
    } catch (e) {
      throw networkError(what, e, timeoutMs);
    }
    // A redirect means the address is not the store's canonical one (http → https, www): a signed
    // request would not survive it, so say where it points instead of following it.
    if (res.status >= 300 && res.status < 400) throw redirectError(what, res);
    const type = res.headers.get("content-type") ?? "";
    let body: unknown = undefined;
    let isJson = false;
    if (/json/i.test(type) || /^\s*[[{]/.test(text)) {
      try {
        body = JSON.parse(text.replace(/^\uFEFF/, ""));
        isJson = true;
      } catch {
        isJson = false;
      }
    }
    if (res.status >= 200 && res.status < 300) {
      if (!isJson) throw new HostError("not_host", `WooCommerce ${what}: the store did not answer like the WooCommerce REST API (not JSON)`, { status: res.status });
      return { status: res.status, headers: res.headers, body: body as T };
    }
    throw errorFromResponse(what, res.status, body, res.headers, isJson);
  };
}

/** Network failures and timeouts are retryable; the cause keeps only its code (its text may hold the URL). */
function networkError(what: string, e: unknown, timeoutMs: number): HostError {
  const err = e as { name?: string; code?: string; cause?: { code?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") {
    return new HostError("retryable", `WooCommerce ${what}: no answer within ${timeoutMs} ms`, { code: "timeout" });
  }
  const code = err?.cause?.code ?? err?.code ?? "network_error";
  return new HostError("retryable", `WooCommerce ${what}: could not reach the store (${code})`, { code: "unreachable", cause: new Error(String(code)) });
}

function redirectError(what: string, res: Response): HostError {
  let where = "another address";
  try {
    where = new URL(res.headers.get("location") ?? "").origin;
  } catch {
    // keep the generic wording
  }
  return new HostError("not_host", `WooCommerce ${what}: the store redirects to ${where}; connect it with its canonical address`, { status: res.status, code: "redirect" });
}
